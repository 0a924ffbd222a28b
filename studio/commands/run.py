"""`studio run`, `studio render`, `studio watch`: the pipeline from the command line.

A thin shell: options become a :class:`Job`, :func:`studio.pipeline.run_stages`
does the work, and the command prints one summary line per recording.
"""
from __future__ import annotations

import dataclasses
import datetime
import functools
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import click

from episodes.record import KINDS
from episodes.typed import halfwidth
from studio.cli_support import departure_lines, parse_guest, read_script, script_option
from studio.environment import Environment, pass_environment
from subtitles.errors import WulingError

if TYPE_CHECKING:
    from studio.pipeline import StageResult
    from studio.stages.job import Job, RenderOptions, TextOptions
    from studio.workdir import WorkDir


def render_options(command):
    """Options shared by `run`, `render` and `watch`: optional deliverables."""
    for option in reversed((
            click.option("--vertical", is_flag=True, help="Also make a 9:16 burned-in video."),
            click.option("--bumpers", is_flag=True,
                         help="Also make intro/outro title-card bumpers (moviepy)."),
            click.option("-q", "--quiet", is_flag=True, help="No progress bars."))):
        command = option(command)
    return command


def summary(work: WorkDir, results: list[StageResult], seconds: float) -> str:
    """One line: what ran, what was already done, what was skipped and why; then a line
    for each stage that has something to report (an edit taken in, script departures)."""
    done = [r.name for r in results if r.status == "done"]
    current = [r.name for r in results if r.status == "up to date"]
    skipped = [f"{r.name} ({r.note})" for r in results if r.status == "skipped"]
    parts = [f"{work.root}: ran {', '.join(done) or 'nothing'} in {seconds:.1f} s"]
    if current:
        parts.append(f"up to date: {', '.join(current)}")
    if skipped:
        parts.append(f"skipped: {'; '.join(skipped)}")
    notes = [f"{r.name}: {r.note}" for r in results if r.status == "done" and r.note]
    return "\n".join(["; ".join(parts), *notes])


def _timed(env: Environment, job: Job, stages) -> str:
    from studio.pipeline import run_stages

    started = env.clock()
    results = run_stages(job, stages)
    return summary(job.work, results, env.clock() - started)


def _air_date(ctx, param, value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(halfwidth(value).strip()) if value else None
    except ValueError:
        raise click.BadParameter(f"{value!r}: expected YYYY-MM-DD") from None


@click.command("run")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--work", "work", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Episode work folder (created if missing).")
@click.option("--title", help="Title; default: from the file name.")
@click.option("--kind", type=click.Choice(KINDS), default="guide", show_default=True)
@click.option("--slug", help="URL name; default: from the file name (pinyin).")
@click.option("--summary", "summary_text", default="", help="One-paragraph summary.")
@click.option("--air-date", callback=_air_date, help="YYYY-MM-DD.")
@click.option("--category", default="", help="Service category, e.g. 企业开办.")
@click.option("--guest", "guests", multiple=True, help="姓名:部门 (repeatable).")
@script_option
@click.option("--model", default=None, help="Speech model for this run (default: setting `model`); "
              "a new model transcribes again and keeps the reviewed text.")
@render_options
@pass_environment
def run_command(env: Environment, source, work, title, kind, slug, summary_text, air_date,
                category, guests, script, model, vertical, bumpers, quiet):
    """Run the whole pipeline on SOURCE: ingest, transcribe, subtitles, glossary, render."""
    from studio.pipeline import STAGES
    from studio.stages.ingest import record_for
    from studio.stages.job import Job, RenderOptions, TextOptions
    from studio.workdir import WorkDir

    episode = record_for(source, title, slug, kind=kind, summary=summary_text, air_date=air_date,
                         service_category=category, guests=tuple(map(parse_guest, guests)))
    env = env.for_terminal(quiet)
    context = "\n".join([title or "", summary_text, read_script(script)])
    settings = TextOptions.from_settings(env, context)
    text = dataclasses.replace(settings, model=model or settings.model,
                               script=str(script.resolve()) if script else "")
    job = Job(WorkDir(work), source, episode, RenderOptions.from_settings(env, vertical, bumpers),
              text, env.progress)
    click.echo(_timed(env, job, STAGES))
    if script:
        for line in departure_lines(job.work.departures):
            click.echo(line)



@click.command("render")
@click.argument("work", type=click.Path(file_okay=False, path_type=Path))
@render_options
@click.option("--background", is_flag=True,
              help="Queue the re-render for `studio worker` instead of running it here.")
@pass_environment
def render_command(env: Environment, work, vertical, bumpers, quiet, background):
    """Run only the render stages on the work folder WORK (made by `studio run`)."""
    from studio.pipeline import RENDER_STAGES
    from studio.stages.ingest import read_record
    from studio.stages.job import Job, RenderOptions, TextOptions
    from studio.workdir import WorkDir

    env = env.for_terminal(quiet)
    workdir = WorkDir(work)
    source = read_record(workdir).source  # a folder `studio run` never started is refused here
    if background:
        click.echo(_queue_render(env, workdir, vertical, bumpers))
        return
    job = Job(workdir, Path(source), render=RenderOptions.from_settings(env, vertical, bumpers),
              text=TextOptions.from_settings(env), progress=env.progress)
    click.echo(_timed(env, job, RENDER_STAGES))


def _queue_render(env: Environment, work: WorkDir, vertical: bool, bumpers: bool) -> str:
    """Enqueue a ``pipeline.run`` job for the render stages: each request is its own job
    (a new key), since the folder may have changed since the last one."""
    from studio.tasks import settings_queue

    folder = str(Path(work.root).resolve())
    queue = settings_queue(env)
    job = queue.enqueue(queue.engine, "pipeline.run", folder,
                        key=f"pipeline.run:{folder}:{uuid.uuid4().hex}", stages="render",
                        vertical=vertical, bumpers=bumpers)
    return f"{folder}: re-render queued as job {job.id}; `studio worker` runs it"


@click.command("watch")
@click.argument("inbox", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--work-root", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Each recording gets a work folder WORK_ROOT/<file name>.")
@click.option("--settle", default=5.0, show_default=True,
              help="Seconds a file must stop growing before it is processed.")
@click.option("--once", is_flag=True, help="Process what is ready now, then exit.")
@render_options
@pass_environment
def watch_command(env: Environment, inbox, work_root, settle, once, vertical, bumpers, quiet):
    """Process recordings dropped into INBOX, one at a time, as they finish copying."""
    from studio.stages.job import RenderOptions, TextOptions
    from studio.watch import watch_folder

    env = env.for_terminal(quiet)
    make_job = functools.partial(_inbox_job, work_root=work_root,
                                 render=RenderOptions.from_settings(env, vertical, bumpers),
                                 text=TextOptions.from_settings(env),
                                 progress=env.progress)
    for line in watch_folder(inbox, make_job, summary, (WulingError,), settle=settle, once=once):
        click.echo(line)


def _inbox_job(source: Path, work_root: Path, render: RenderOptions, text: TextOptions,
               progress) -> Job:
    from studio.stages.job import Job
    from studio.workdir import WorkDir

    return Job(WorkDir(work_root / source.name), source, render=render, text=text,
               progress=progress)

