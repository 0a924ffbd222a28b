"""The second decoding pass (setting ``second_pass``): the model runs again, prompted with
the glossary terms the first transcript suggests were said, so no script is needed.

The unit tests pass the model run in as a function (the recording and the model are
what ``studio.captions.second_pass`` is handed by its callers); the slow test runs the
real model through ``studio transcribe`` on a development clip (tests/fixtures/dev/,
synthetic TTS speech) and compares with a first pass in the same run.
"""
from __future__ import annotations

import json

import pytest

from glossary import load_default
from glossary.evaluation import term_recall
from studio.captions import SECOND_PASS_MAX_CHANGE, second_pass
from subtitles.transcript import Segment, Transcript
from tests.support import FIXTURES

GLOSSARY = load_default()


def _transcript(text: str) -> Transcript:
    return Transcript(language="zh", duration_ms=5000, segments=[Segment(0, 5000, text, ())])


class Model:
    """Stands for the second model run: answers ``text`` and keeps the prompt it got."""

    def __init__(self, text: str):
        self.text, self.prompts = text, []

    def __call__(self, prompt: str) -> Transcript:
        self.prompts.append(prompt)
        return _transcript(self.text)


def test_the_prompt_names_the_terms_the_first_pass_heard():
    model = Model("可以申请行政复议，也可以提起行政诉讼")
    result = second_pass(_transcript("可以申请形成复议，也可以提起行政诉讼"), GLOSSARY, "", model)
    assert result.text == model.text
    [prompt] = model.prompts
    assert "行政复议" in prompt and "行政诉讼" in prompt  # misheard, and spelt right


def test_the_prompt_also_names_the_terms_staff_wrote_about_the_episode():
    model = Model("可以申请行政复议")
    second_pass(_transcript("可以申请形成复议"), GLOSSARY, "本期：营业执照怎么办", model)
    assert "营业执照" in model.prompts[0]


def test_a_second_pass_that_strays_from_the_first_is_left_out():
    first = _transcript("可以申请形成复议，也可以提起行政诉讼，还可以找人民调解委员会")
    dropped = Model("可以申请行政复议")  # whisper sometimes drops a window under a prompt
    assert second_pass(first, GLOSSARY, "", dropped) is first
    assert SECOND_PASS_MAX_CHANGE < 0.5


def test_no_term_heard_no_second_run():
    model = Model("")
    first = _transcript("今天的菜市场人特别多，大家都在排队")
    assert second_pass(first, GLOSSARY, "", model) is first
    assert model.prompts == []


@pytest.mark.slow
def test_the_second_pass_spells_more_jargon_right_than_the_first(runner, environ, tmp_path):
    # Measured (bench/RESULTS.md, tests/fixtures/dev): the second pass recovers jargon the
    # first misses on most development clips; on this one 8 -> 11 of 11 after correction.
    clip = FIXTURES / "dev" / "review_appeal_accent.opus"
    reference = (FIXTURES / "dev" / "review_appeal_accent.txt").read_text(encoding="utf-8")
    found = {}
    for setting in ("off", "on"):
        environ["WULING_SECOND_PASS"] = setting
        out = tmp_path / setting
        result = runner.invoke(args=["transcribe", str(clip), "--out", str(out), "-q"])
        assert result.exit_code == 0, result.output
        data = json.loads((out / f"{clip.stem}.transcript.json").read_text(encoding="utf-8"))
        text = "".join(segment["text"] for segment in data["segments"])
        found[setting] = term_recall(text, reference, GLOSSARY)[0]
    assert found["on"] > found["off"], found


def test_the_setting_reaches_the_transcribe_stage_and_its_inputs(environ, tmp_path):
    """With second_pass on, the transcript stage's inputs say so (a work folder transcribed
    once is transcribed again when the setting changes); off leaves them as they were."""
    from studio.environment import Environment
    from studio.stages import transcript
    from studio.stages.job import Job, TextOptions
    from studio.workdir import WorkDir

    inputs = {}
    for setting in ("off", "on"):
        environ["WULING_SECOND_PASS"] = setting
        text = TextOptions.from_settings(Environment(environ=environ))
        inputs[setting] = transcript.params(Job(WorkDir(tmp_path / setting), tmp_path / "clip.wav", text=text))
    assert "second_pass" not in inputs["off"]
    assert inputs["on"] == {**inputs["off"], "second_pass": True}


def test_the_episode_record_says_what_the_prompt_names(tmp_path):
    """A job started from the site has no typed context, only the episode record: its
    service category and guests' departments name terms the model should expect."""
    from episodes.record import EpisodeRecord, Guest
    from studio.stages import transcript
    from studio.stages.job import Job, TextOptions
    from studio.workdir import WorkDir

    episode = EpisodeRecord(title="第十二期", slug="ep12", service_category="企业开办",
                            guests=(Guest("李明", "区综合行政执法局"),))
    job = Job(WorkDir(tmp_path), tmp_path / "ep12.wav", episode, text=TextOptions())
    prompt = transcript.prompt(job)
    assert "企业开办" in prompt and "综合行政执法" in prompt
    assert transcript.prompt(Job(WorkDir(tmp_path), tmp_path / "ep12.wav", text=TextOptions())) is None
