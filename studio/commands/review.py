"""`studio review`: approve captions and read their history without the browser.

TARGET is a work folder (its ``review.json``; an approval there goes into the catalog
when the folder is published) or the slug/id of a catalog episode (approving it there
also queues ``episode.rederive``, as 审核通过 in the workspace does).
"""
from __future__ import annotations

from pathlib import Path

import click

from studio.cli_support import catalog_session, media_root, os_user, plain_wording, ready_engine
from studio.environment import Environment, pass_environment


@click.group("review")
def review_group():
    """Approve captions (审核) and show their revisions."""


def _folder_log(target: str):
    from studio.reviewed import load_log
    from studio.workdir import WorkDir

    return load_log(WorkDir(Path(target)))


@review_group.command("submit")
@click.argument("workdir", type=click.Path(path_type=Path))
@click.option("--by", default=None, help="Who asks for review; default: the OS user name.")
@click.option("--replace", is_flag=True,
              help="Give an episode already in the catalog this folder's new files.")
@pass_environment
def submit_command(env: Environment, workdir: Path, by: str | None, replace: bool) -> None:
    """Submit WORKDIR for review (提交审核): import it into the catalog as a draft, publish nothing.

    The same import as `studio publish` (captions' revisions, unsure words, files), so
    staff can correct and approve it in the browser workspace, and publish it there.
    """
    from episodes.models import utcnow
    from studio.publish import submit_workdir

    slug = submit_workdir(workdir, ready_engine(env), media_root(env), by or os_user(), utcnow(),
                          replace, plain_wording(env))
    click.echo(f"submitted {slug} for review: {env.setting('site_url').rstrip('/')}/review/{slug}")


@review_group.command("approve")
@click.argument("target")
@click.option("--by", default=None, help="Who approves; default: the OS user name.")
@pass_environment
def approve_command(env: Environment, target: str, by: str | None) -> None:
    """Approve the current revision of TARGET's captions (a work folder or an episode)."""
    from studio.errors import StudioError

    by = by or os_user()
    if Path(target).is_dir():
        from studio.reviewed import now_iso, save_log
        from studio.workdir import WorkDir

        log = _folder_log(target)
        if log.current is None:
            raise StudioError("has no review.json yet: run `studio run` first", target)
        save_log(WorkDir(Path(target)), log.approve(by, now_iso()))
        click.echo(f"approved revision {log.current.number} of {target} (by {by})")
        return
    from episodes.catalog import find_episode
    from episodes.review import approve
    from studio.rederive import REDERIVE
    from studio.tasks import settings_queue

    with catalog_session(env) as session:
        episode = find_episode(session, target)
        approval = approve(session, episode, by, plain_wording(env))
        if episode.work_folder:
            settings_queue(env, session.get_bind()).enqueue(
                session, REDERIVE, episode.slug, key=f"{REDERIVE}:{episode.slug}:{approval.revision}",
                revision=approval.revision)
        slug = episode.slug
    click.echo(f"approved revision {approval.revision} of {slug} (by {by})")


@review_group.command("status")
@click.argument("target")
@pass_environment
def status_command(env: Environment, target: str) -> None:
    """Which revision is current, which is approved, and by whom."""
    click.echo(_status(_log_of(env, target)))


@review_group.command("log")
@click.argument("target")
@pass_environment
def log_command(env: Environment, target: str) -> None:
    """Every revision (number, time, author, source, cues) and every approval."""
    log = _log_of(env, target)
    approvals = {}
    for approval in log.approvals:
        approvals.setdefault(approval.revision, []).append(approval)
    for revision in log.revisions:
        marks = "".join(f"; {'published unreviewed' if a.unreviewed else 'approved'} by {a.by} at {a.at}"
                        for a in approvals.get(revision.number, ()))
        click.echo(f"{revision.number}\t{revision.created_at}\t{revision.author}\t{revision.source}\t"
                   f"{len(revision.cues)} cues{marks}")


def _log_of(env: Environment, target: str):
    if Path(target).is_dir():
        return _folder_log(target)
    from episodes.catalog import find_episode
    from episodes.review import review_log

    with catalog_session(env) as session:
        return review_log(session, find_episode(session, target).id)


def _status(log) -> str:
    if log.current is None:
        return "no captions yet"
    current = log.current
    line = f"revision {current.number} ({current.source}, {current.author}, {current.created_at})"
    approved = log.approved
    if log.is_approved:
        by = next(a for a in reversed(log.approvals) if a.revision == current.number and not a.unreviewed)
        return f"{line}: approved by {by.by} at {by.at}"
    if approved is not None:
        return f"{line}: not approved; the public sees revision {approved.number}"
    return f"{line}: not approved"
