"""The names staff give a recording (its programme, its guests' departments) are
recognised whatever the term base says of them, and never rewritten: live captions
heard the guest's 区司法局 (a draft term, so applied by nothing) as 驱斯法局."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from glossary import load_default
from glossary.correct import correct
from glossary.rewrite import rewrite
from studio.captions import decoding_prompt

GLOSSARY = load_default()
HEARD = "各位听众朋友，欢迎收听众务直播间，今天我们请来了驱斯法局的工作人员。"


def test_a_draft_department_and_the_programme_are_put_back_when_misheard():
    assert correct(HEARD, GLOSSARY).text == HEARD  # drafts: nothing applies them
    recognised = GLOSSARY.recognising(["武陵政务直播间", "区司法局"])
    assert correct(HEARD, recognised).text == "各位听众朋友，欢迎收听政务直播间，今天我们请来了区司法局的工作人员。"
    assert "区司法局" in decoding_prompt(recognised, "法律援助怎么申请\n区司法局")


def test_recognised_names_are_never_rewritten_or_explained():
    """区司法局's draft plain wording (区里管法律服务的部门) waits for the office's approval."""
    recognised = GLOSSARY.recognising(["区司法局", "区退役军人事务局"])
    text = "区司法局和区退役军人事务局都可以提供法律援助。"
    assert rewrite(text, recognised).text == rewrite(text, GLOSSARY).text
    assert "区司法局" in rewrite(text, recognised).text and "区退役军人事务局" in rewrite(text, recognised).text
    assert correct("来到区退逸军人事务局", recognised).text == "来到区退役军人事务局"


def test_an_approved_term_named_again_is_left_as_it_is():
    assert GLOSSARY.recognising(["法律援助", " ", ""]) is GLOSSARY
    assert GLOSSARY.recognising(["法律援助", "区司法局"]).get("法律援助") == GLOSSARY.get("法律援助")


NAMES = st.lists(st.one_of(st.sampled_from([s for t in GLOSSARY.all_terms for s in t.surfaces]),
                           st.text(alphabet="区县局办司法政务直播间市场监管", min_size=1, max_size=8)), max_size=6)


@given(NAMES)
def test_recognising_keeps_every_entry_and_changes_no_approved_one(names):
    recognised = GLOSSARY.recognising(names)
    assert set(GLOSSARY.terms) <= set(recognised.terms)
    assert {t.term for t in GLOSSARY.all_terms} <= {t.term for t in recognised.all_terms}
    surfaces = {s for t in recognised.terms for s in t.surfaces}
    assert all(name.strip() in surfaces for name in names if name.strip())
    assert all(t.mode == "keep" for t in set(recognised.terms) - set(GLOSSARY.terms))


def test_the_pipeline_recognises_the_episodes_own_names(tmp_path):
    """A broadcast's recording goes through the pipeline as an episode record with its
    guests: its transcription prompt and correction know their departments."""
    from episodes.record import EpisodeRecord, Guest
    from studio.stages import transcript
    from studio.stages.job import Job
    from studio.stages.terms import load_terms
    from studio.workdir import WorkDir

    record = EpisodeRecord("法律援助怎么申请", "live-1", kind="episode", guests=(Guest("王芳", "区司法局"),))
    job = Job(WorkDir(tmp_path / "work"), tmp_path / "talk.wav", episode=record)
    assert correct(HEARD, load_terms(job)).text == "各位听众朋友，欢迎收听政务直播间，今天我们请来了区司法局的工作人员。"
    assert "区司法局" in transcript.prompt(job)
    assert transcript.prompt(Job(WorkDir(tmp_path / "work"), tmp_path / "talk.wav")) is None
