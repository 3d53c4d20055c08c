"""Watson (td-watson): its `frames` file, `watson log --json`, or frames in the sync form.

Three shapes, all a JSON list, told apart by their items (Watson 2.1 source, `frames.py`,
`utils.frames_to_json` and `watson.py` push/pull):

* the `frames` file Watson keeps: `[start, stop, project, id, tags, updated_at]`, start and
  stop in epoch seconds (UTC);
* `watson log --json`: `{"id", "project", "start", "stop", "tags"}`, ISO 8601 with the
  offset. With `--current` (or the `log_current` option) the running frame is added with the
  id `current` and the time of the export as its stop: that frame is still running, so it is
  counted as running and never imported (once stopped it gets its real id);
* the sync form (what `watson push` sends to a sync server and `watson pull` reads back):
  `{"id": "urn:uuid:…", "begin_at", "end_at", "project", "tags"}`; the id is the frame's
  UUID, the same frame as in the `frames` file.

The running frame itself lives in Watson's `state` file, never in `frames`: a file in which
more than one frame has no stop is not one of these shapes, and is refused rather than read as
"nothing to import".
"""

from __future__ import annotations

import uuid
from datetime import tzinfo

from consult.errors import Problem, Source
from consult.work.importers.common import (
    EVER,
    NON_BILLABLE_TAGS,
    Bad,
    Export,
    Row,
    entry_rows,
    instant,
    one_line,
    refused,
    tag_list,
)

RUNNING_ID = "current"  # `watson log --current`'s name for the frame still running


def _tag_keys(head: str, tags: list[str]) -> tuple[str, ...]:
    """`project/tag` for each tag, then the project (so `acme` + tag `churn-model` finds
    acme/churn-model on its own)."""
    return tuple(f"{head}/{t}" for t in tags) + (head,)


def _frame(frame: object) -> tuple[object, object, object, object, object, object]:
    """(start, stop, project, id, tags, note) of a frame in any of the three shapes."""
    if isinstance(frame, list):  # the frames file: [start, stop, project, id, tags, updated_at(, note)]
        if len(frame) < 4:
            raise Bad(None, "expected [start, stop, project, id, tags, updated_at]")
        note = frame[6] if len(frame) > 6 else None
        return frame[0], frame[1], frame[2], frame[3], frame[4] if len(frame) > 4 else [], note
    if isinstance(frame, dict):
        if "begin_at" in frame:  # the sync form
            fid = frame.get("id")
            if isinstance(fid, str):
                try:
                    fid = uuid.UUID(fid).hex
                except ValueError:
                    pass
            return frame.get("begin_at"), frame.get("end_at"), frame.get("project"), fid, frame.get("tags"), \
                frame.get("note")
        if "start" in frame:  # watson log --json
            return frame.get("start"), frame.get("stop"), frame.get("project"), frame.get("id"), \
                frame.get("tags"), frame.get("note")
        keys = ", ".join(sorted(map(str, frame))) or "none"
        raise Bad(None, f"is not a Watson frame (its keys: {keys}; a frame has start/stop or begin_at/end_at)")
    raise Bad(None, "expected a frame (a list or an object)")


def read_watson(data: list[object], path: str, tz: tzinfo) -> Export:
    """Every frame of a Watson export (parsed JSON); all-or-nothing."""
    out: list[Row] = []
    problems: list[Problem] = []
    skipped: list[str] = []
    running = 0
    whole = bool(data) and all(isinstance(f, list) for f in data)  # the frames file: the whole history
    for n, frame in enumerate(data, 1):
        where = Source(f"{path}: frame {n}")
        try:
            start_v, stop_v, project, fid, tags_v, note = _frame(frame)
            if not isinstance(fid, str) or not fid.strip():
                raise Bad("id", "missing — every Watson frame has an id")
            fid = fid.strip()
            where = Source(f"{path}: frame {n} ({fid[:8]})")
            if not isinstance(project, str) or not project.strip():
                raise Bad("project", "missing — every Watson frame names a project")
            if stop_v is None or fid == RUNNING_ID:
                running += 1
                skipped.append(f"{where}: still running")
                continue
            tags = tag_list(tags_v, "tags")
            start = instant(start_v, "start")
            end = instant(stop_v, "stop")
            billable = not any(t.lower() in NON_BILLABLE_TAGS for t in tags)
            kept = [t for t in tags if t.lower() not in NON_BILLABLE_TAGS]
            out.extend(entry_rows(where, _tag_keys(project.strip(), kept), project.strip(), start, end, tz,
                                  one_line(note) if isinstance(note, str) else None, billable,
                                  f"watson:{fid}", skipped, "Watson", tuple(kept)))
        except Bad as e:
            problems.append(Problem(where, e.column, str(e)))
    if running > 1:
        raise refused([Problem(Source(path), None, f"{running} frames have no stop time, but Watson keeps at most "
                               "one frame running (in its state file, not here): this is not a Watson frames "
                               "file, `watson log --json` or frames in the sync form")], path)
    if problems:
        raise refused(problems, path, "frame")
    return Export(path, "watson", tuple(out), tuple(skipped), covers=EVER if whole else None)
