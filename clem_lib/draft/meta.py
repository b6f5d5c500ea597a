"""Meta columns (submission ids and times of Kobo, ODK Central and Google Forms) and dates."""

from __future__ import annotations

import re

from .common import SURE
from .export import Profile
from .state import DraftState

__all__ = ["META", "META_SKIP", "pass_meta", "date_note", "date_share"]

#: Kobo / ODK / Google Forms meta columns (case-folded name -> role)
META = {
    "_uuid": "respondent_id", "meta/instanceid": "respondent_id", "meta-instanceid": "respondent_id",
    "instanceid": "respondent_id", "key": "respondent_id",
    "_submission_time": "submission_time", "submissiondate": "submission_time",
    "start": "start_time", "end": "end_time", "starttime": "start_time", "endtime": "end_time",
    "stempel waktu": "interview_date", "timestamp": "interview_date", "cap waktu": "interview_date",
    "today": "interview_date",
}
#: meta columns left out of the codebook (case-folded names)
META_SKIP = {
    "_id", "_index", "_status", "_validation_status", "__version__", "_version_", "_tags", "_notes",
    "_submitted_by", "_xform_id_string", "_attachments", "_geolocation", "_duration",
    "_media_all_received", "_media_count", "_total_media", "formhub/uuid", "meta/rootuuid",
    "meta/deprecatedid", "submitterid", "submittername", "attachmentspresent", "attachmentsexpected",
    "status", "reviewstate", "deviceid", "edits", "formversion", "username", "simserial",
    "subscriberid", "audit", "_parent_index", "_parent_table_name", "_submission__id",
    "_submission__uuid", "_submission__submission_time", "_submission__validation_status",
    "_submission__notes", "_submission__status", "_submission__submitted_by", "_submission___version__",
    "_submission__tags", "meta/audit", "meta-audit",
}


def pass_meta(st: DraftState, cols) -> None:
    """Ids and time stamps from the meta columns (by name or by the form's start/end/today types)."""
    for col in cols:
        key = col.strip().casefold()
        q = st.questions.get(col)
        if key in META_SKIP:
            st.skip(col, "export meta data (not needed)")
            continue
        role = META.get(key)
        if role is None and q is not None and q.type in ("start", "end", "today"):
            role = {"start": "start_time", "end": "end_time", "today": "interview_date"}[q.type]
        if role is None:
            continue
        what = {"respondent_id": "the submission id", "submission_time": "the submission time",
                "start_time": "the interview start", "end_time": "the interview end",
                "interview_date": "the date of the interview"}[role]
        note = f'{what}: a Kobo/ODK/Google Forms meta column "{col}" (sure)'
        if role == "interview_date" and key in ("stempel waktu", "timestamp", "cap waktu"):
            note = date_note(st, col, f'{what}: the Google Forms time stamp "{col}"')
        st.add(col, role, {}, [note], SURE)


def date_note(st: DraftState, col, what) -> str:
    """The comment on a date column: day/month/year, or month first (which clem does not read: a to-do)."""
    p = st.profiles[col]
    firsts, seconds = set(), set()
    for v, _c in p.counts:
        m = re.match(r"^(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}", v)
        if m:
            firsts.add(int(m.group(1)))
            seconds.add(int(m.group(2)))
    if seconds and max(seconds) > 12 and max(firsts) <= 12:
        st.todo.append(f"column '{col}' writes dates month first (e.g. 9/24/2025); clem reads "
                       "day/month/year: set the form's locale to Indonesia or convert the dates")
        return f"{what}, month first (check)"
    if firsts:
        return f"{what}, day/month/year (sure)"
    return f"{what} (sure)"


def date_share(p: Profile) -> float:
    """Share of the values that look like dates."""
    return p.share(lambda v: bool(re.match(r"^\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}", v)))
