"""The whole loop on the command line with the real model: `studio run --script` makes
the script the text, an edit in a subtitle editor survives the next `studio run`, and
`studio transcribe --script` with another recording's script keeps the machine text."""
from __future__ import annotations

import pysubs2
import pytest

from studio.cli import cli
from studio.reviewed import load_log
from studio.workdir import WorkDir
from subtitles.evaluation import character_errors
from tests.support import SAMPLES

SAMPLE = SAMPLES / "demo_guide.mp4"


@pytest.mark.slow
def test_studio_run_with_the_script_then_an_editor_edit_survives_the_rerun(runner, tmp_path):
    work = WorkDir(tmp_path / "work")
    args = ["run", str(SAMPLE), "--work", str(work.root), "--title", "居住证怎么办",
            "--script", str(SAMPLES / "demo_guide.txt"), "-q"]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "script demo_guide.txt:" in first.output and "0 departures" in first.output
    assert load_log(work).current.source == "script"
    srt = work.subtitles("verbatim", "srt")
    assert "容缺受理" in srt.read_text(encoding="utf-8")  # the script's words, whatever was heard

    subs = pysubs2.load(str(srt))  # a proofreader's change, saved as Aegisub would
    subs[0].text = subs[0].text.replace("武陵区", "武陵区人民政府")
    subs.save(str(srt))
    second = runner.invoke(cli, args)
    assert second.exit_code == 0, second.output
    assert "up to date: ingest, transcribe" in second.output
    assert "imported your edit of verbatim.srt as revision 2" in second.output
    for path in (srt, work.subtitles("verbatim", "vtt"), work.subtitles("plain", "srt")):
        assert "武陵区人民政府" in path.read_text(encoding="utf-8"), path.name


@pytest.mark.slow
def test_studio_transcribe_with_another_recordings_script_keeps_the_machine_text(runner, tmp_path, shared_media):
    result = runner.invoke(cli, ["transcribe", str(SAMPLES / "demo_guide.mp4"), "--out", str(tmp_path),
                                      "--script", str(shared_media / "talk_legal_aid.txt"), "-q"])
    assert result.exit_code == 0, result.output
    assert "is it this video's script?" in result.output and "kept the machine text" in result.output
    machine = "".join(event.plaintext for event in pysubs2.load(str(tmp_path / "demo_guide.srt")))
    script = (shared_media / "talk_legal_aid.txt").read_text(encoding="utf-8")
    # this video's speech as the model heard it (homophones such as 武林区 aside), not the script
    assert character_errors(machine, (SAMPLES / "demo_guide.txt").read_text(encoding="utf-8")).rate < 0.3
    assert script.splitlines()[0][:8] not in machine
    assert (tmp_path / "demo_guide.departures.json").is_file()
