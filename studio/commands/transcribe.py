"""`studio transcribe`: media files in, transcript JSON and SRT/VTT/ASS out."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from studio.cli_support import (current_environment, departure_line, glossary_option, open_glossary,
                                read_script, script_option, setting_default)
from studio.environment import Environment, pass_environment


@click.command("transcribe")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the outputs (default: next to each input).")
@click.option("--model", default=setting_default("model"), show_default="setting `model`",
              help="'base' (embedded), a CTranslate2 model folder, or a faster-whisper model name.")
@click.option("--language", default=setting_default("language"), show_default="zh",
              help="Spoken language code, or 'auto' to detect it.")
@click.option("--profile", "profile_name", default=setting_default("profile"),
              show_default="broadcast-zh", help="Subtitle profile.")
@click.option("--beam-size", type=click.IntRange(1, 20),
              default=lambda: current_environment().setting_int("beam_size", 1, 20),
              show_default="setting `beam_size`", help="Decoder beam width; 1 is greedy and fastest.")
@click.option("--vad/--no-vad", default=True, show_default=True,
              help="Skip non-speech with voice activity detection.")
@click.option("--correct/--no-correct", default=True, show_default=True,
              help="Put misheard glossary terms back (pinyin match); -v logs each change.")
@glossary_option
@script_option
@click.option("--terms", default="", help="Jargon expected in the recording, comma-separated.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@pass_environment
def transcribe_command(env: Environment, inputs: tuple[Path, ...], out_dir: Path | None, model: str,
                       language: str, profile_name: str, beam_size: int, vad: bool, correct: bool,
                       source: Path | None, script: Path | None, terms: str, quiet: bool) -> None:
    """Transcribe INPUT... (any audio/video ffmpeg reads) into Simplified Chinese subtitles.

    Writes INPUT.transcript.json (segments and words, integer ms) and INPUT.srt,
    INPUT.vtt and INPUT.ass cut to the subtitle profile. With --script, the captions are
    the script's words timed from the speech, and INPUT.departures.json lists where the
    speaker left the script (a script that does not fit the audio leaves the machine text).
    """
    from studio import media
    from glossary.lines import line_units
    from studio.captions import correct_transcript, decoding_prompt, second_pass, verbatim_cues, write_subtitles
    from studio.files import write_text
    from studio.transcribe import TranscribeOptions, load_model, transcribe_file
    from subtitles.profiles import get_profile

    env = env.for_terminal(quiet)
    profile = get_profile(profile_name)
    from glossary.learned import attach

    glossary = attach(open_glossary(source), env.setting("instance_path"))  # with what staff taught
    context = "\n".join([read_script(script), terms.replace(",", "、")])
    prompt = decoding_prompt(glossary, context)
    twice = env.setting_flag("second_pass")
    for path in inputs:  # fail fast on bad input, before loading the model
        media.probe(path)
    whisper = load_model(model, env.setting("model_cache"), env.setting("compute_type"),
                         env.setting_int("cpu_threads", 0, 1024))
    options = TranscribeOptions(language=language, vad=vad, initial_prompt=prompt, beam_size=beam_size)
    for path in inputs:
        started = env.clock()
        transcript = transcribe_file(path, options, env.progress, whisper)
        if twice:
            transcript = second_pass(transcript, glossary, context, lambda again: transcribe_file(
                path, dataclasses.replace(options, initial_prompt=again), env.progress, whisper))
        if correct:
            transcript = correct_transcript(transcript, glossary)
        cues = verbatim_cues(transcript, profile, line_units(glossary))
        stem = (out_dir or path.parent) / path.stem
        if script:
            cues = _scripted(script, transcript, profile, stem.with_name(stem.name + ".departures.json"),
                             cues, line_units(glossary))
        write_text(stem.with_name(stem.name + ".transcript.json"), transcript.to_json())
        write_subtitles(cues, stem)
        elapsed = env.clock() - started
        seconds = transcript.duration_ms / 1000
        if not cues:
            click.echo(f"Warning: {path}: no speech found; wrote empty subtitle files", err=True)
        click.echo(f"{path}: {seconds:.1f} s of audio in {elapsed:.1f} s "
                   f"({seconds / elapsed:.1f}x real time), {len(cues)} cues, "
                   f"{len(transcript.corrections)} glossary corrections -> {stem}.srt/.vtt/.ass")



def _scripted(script: Path, transcript, profile, departures: Path, machine: list,
              keep: frozenset[str]) -> list:
    """The script's cues and a line per departure; the machine's cues (and a warning) when
    the script does not fit the recording."""
    from dataclasses import asdict

    from studio.captions import script_cues
    from studio.stages.verbatim import write_departures
    from subtitles.errors import SubtitleError

    try:
        cues, aligned = script_cues(script, transcript, profile, keep)
    except SubtitleError as exc:
        write_departures(departures, script, None, str(exc))
        click.echo(f"Warning: {exc}; kept the machine text", err=True)
        return machine
    write_departures(departures, script, aligned)
    click.echo(f"{script}: {aligned.agreement:.0%} of the script heard, "
               f"{len(aligned.departures)} departures")
    for departure in aligned.departures:
        click.echo(departure_line(asdict(departure)))
    return cues
