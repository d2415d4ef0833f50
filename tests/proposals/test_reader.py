"""What a reader has done about a proposal (supported, followed, reported it or its comments),
read for its page in one statement."""

from participation.extensions import db
from participation.models import Follow, Support
from participation.proposals.reader import ReaderMarks, reader_marks


def _support(proposal, user):
    db.session.add(Support(proposal_id=proposal.id, user_id=user.id, round_id=proposal.round_id))


def _follow(proposal, user):
    db.session.add(Follow(user_id=user.id, proposal_id=proposal.id))


def test_a_readers_marks_are_theirs_on_this_proposal_alone(
    app, create_proposal, create_user, create_comment, create_report, count_queries
):
    proposal, other = create_proposal(), create_proposal()
    reader, someone = create_user(), create_user()
    comment = create_comment(proposal)
    reply = create_comment(proposal, parent=comment)
    elsewhere = create_comment(other)
    _support(proposal, reader)
    _follow(proposal, reader)
    create_report(reader, proposal=proposal)
    create_report(reader, comment=comment)
    # Not theirs, or not on this proposal: none of it is a mark of theirs here.
    _support(other, reader)
    _follow(other, reader)
    create_report(reader, comment=elsewhere)
    create_report(someone, comment=reply)
    _support(proposal, someone)
    db.session.commit()
    db.session.refresh(reader), db.session.refresh(proposal)

    with count_queries() as counter:
        marks = reader_marks(reader, proposal)
    assert counter.count == 1, counter.statements
    assert marks.supported and marks.followed
    assert sorted(marks.reports, key=str) == sorted(
        [(None, proposal.id), (comment.id, None)], key=str
    )

    assert reader_marks(someone, other) == ReaderMarks()
    assert reader_marks(someone, proposal) == ReaderMarks(
        supported=True, reports=((reply.id, None),)
    )
    with count_queries() as counter:
        assert reader_marks(None, proposal) == ReaderMarks()
    assert counter.count == 0


def test_the_page_shows_the_readers_marks_read_in_one_statement(
    client, create_proposal, create_user, create_comment, create_report, sign_in, count_queries
):
    proposal = create_proposal()
    comment = create_comment(proposal, body="Un commentaire signalé")
    reader = create_user()
    _support(proposal, reader)
    _follow(proposal, reader)
    create_report(reader, proposal=proposal)
    create_report(reader, comment=comment)
    db.session.commit()
    sign_in(reader)
    path = f"/rounds/{proposal.round.slug}/proposals/{proposal.number}"
    with count_queries() as counter:
        page = client.get(path, headers={"Accept-Language": "en"}).text
    assert "You support this proposal" in page
    assert "You follow this proposal" in page
    assert "You have reported this proposal" in page
    assert "You have reported this comment." in page
    assert len(_marks_read(counter)) == 1, counter.statements

    # Another reader, who did none of it, is shown none of it, from the same one statement.
    sign_in(create_user())
    with count_queries() as counter:
        page = client.get(path, headers={"Accept-Language": "en"}).text
    assert "You support this proposal" not in page and "You follow this proposal" not in page
    assert "You have reported" not in page
    assert "Report this proposal" in page
    assert len(_marks_read(counter)) == 1, counter.statements

    # Its author follows it without a follow row of their own (``follows``'s rule, given none).
    db.session.execute(db.delete(Follow).where(Follow.proposal_id == proposal.id))
    db.session.commit()
    sign_in(proposal.author)
    page = client.get(path, headers={"Accept-Language": "en"}).text
    assert "You follow this proposal" in page


def _marks_read(counter) -> list[str]:
    return [
        s
        for s in counter.statements
        if any(f"FROM {table}" in s for table in ("supports", "follows", "reports"))
    ]


def test_a_thread_given_the_readers_reports_reads_none(
    app, create_proposal, create_user, create_comment, create_report, count_queries
):
    from participation.comments.services import comment_thread

    proposal = create_proposal()
    comment = create_comment(proposal)
    reader = create_user()
    create_report(reader, comment=comment)
    db.session.refresh(reader), db.session.refresh(proposal)
    with count_queries() as counter:
        given = comment_thread(proposal, 1, reader, reports=())
    assert not _marks_read(counter), counter.statements
    assert not given.has_reported(comment)
    # Without them, the thread reads them itself.
    with count_queries() as counter:
        read = comment_thread(proposal, 1, reader)
    assert len(_marks_read(counter)) == 1 and read.has_reported(comment)
