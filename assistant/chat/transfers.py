"""Spreadsheets in chat: a document sent in a private chat is previewed for import, with
Confirm / Cancel buttons; `/import` explains how and takes those buttons' answers; `/export`
sends the team's (or a rep's own) funnel back as a file. Anything else a message carries (a
photo, a voice note, a sticker, a location) is answered with what to do instead: nothing is
met with silence."""
from __future__ import annotations

from assistant.chat.context import Ctx
from assistant.chat.routes import RunCommand, button
from assistant.events import MAX_DOCUMENT_BYTES, Attachment, Inbound, Reply
from assistant.i18n import render
from assistant.method.numbers import parse_id, shown
from assistant.method.results import Problem
from assistant.transfer import export, imports
from assistant.transfer.tables import MAX_BYTES, is_spreadsheet_name

NOTICES = {"photo": "attachment.photo", "voice": "attachment.voice", "video": "attachment.video",
           "sticker": "attachment.sticker", "location": "attachment.location", "contact": "attachment.contact"}


def received(ctx: Ctx, event: Inbound) -> list[Reply]:
    """What a message with an attachment gets: an import preview for a spreadsheet, else a notice."""
    attachment = event.attachment
    if attachment is None:
        return []
    if attachment.kind != "document":
        return [Reply(NOTICES.get(attachment.kind, "attachment.other"), ctx.lang)]
    name = attachment.name or "file"
    if not is_spreadsheet_name(name):
        return [Reply("attachment.document", ctx.lang, {"name": shown(name)})]
    limit = min(MAX_BYTES, MAX_DOCUMENT_BYTES)
    if (attachment.size or 0) > limit or (attachment.data is not None and len(attachment.data) > limit):
        return [Reply("attachment.too_big", ctx.lang, {"name": shown(name), "limit_mb": limit // (1024 * 1024)})]
    if attachment.data is None:  # the platform did not hand the file over
        return [Reply("attachment.not_fetched", ctx.lang, {"name": shown(name)})]
    return preview(ctx, name, attachment.data)


def preview(ctx: Ctx, name: str, data: bytes) -> list[Reply]:
    found = imports.plan_file(ctx.uow, ctx.team, ctx.user, name, data, ctx.today, ctx.lang)
    if isinstance(found, Problem):
        return [Reply(found.key, ctx.lang, dict(found.params))]
    batch = imports.keep(ctx.uow, found, ctx.team, ctx.user, data, ctx.now)
    return [_preview_reply(ctx, found, batch.id)]


def _preview_reply(ctx: Ctx, found: imports.Preview, batch_id: int) -> Reply:
    choices = (button(RunCommand("import", f"confirm_{batch_id}"), "transfer.confirm_button"),
               button(RunCommand("import", f"cancel_{batch_id}"), "transfer.cancel_button"))
    return Reply("transfer.preview", ctx.lang, imports.preview_params(found, ctx.lang),
                 choices if found.writable else choices[1:])


def import_command(ctx: Ctx, args: str) -> list[Reply]:
    """`/import` alone explains how; `confirm_<batch>` / `cancel_<batch>` are its buttons'
    answers, checked again here: only the sender's own pending batch is written."""
    action, _, number = args.strip().partition("_")
    batch_id = parse_id(number) if action in ("confirm", "cancel") else None
    if batch_id is None:
        return [Reply("transfer.how", ctx.lang, {"terminal": ctx.who.platform == "console"})]
    batch = ctx.uow.transfers.batch(batch_id)
    if batch is None or batch.user_id != ctx.user.id or batch.team_id != ctx.team.id:
        return [Reply("common.stale_button", ctx.lang)]
    if batch.status != "pending":
        return [Reply("transfer.stale", ctx.lang)]
    if action == "cancel":
        ctx.uow.transfers.settle_batch(batch.id, "cancelled", ctx.now)
        return [Reply("transfer.cancelled", ctx.lang)]
    done = imports.confirm(ctx.uow, batch, ctx.team, ctx.user, ctx.today, ctx.lang, ctx.now)
    if isinstance(done, Problem):
        ctx.uow.transfers.settle_batch(batch.id, "cancelled", ctx.now)
        return [Reply(done.key, ctx.lang, dict(done.params))]
    if isinstance(done, imports.Preview):
        return [Reply("transfer.changed", ctx.lang), _preview_reply(ctx, done, batch.id)]
    return [Reply("transfer.done", ctx.lang, done.counts)]


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_command(ctx: Ctx, args: str) -> list[Reply]:
    """`/export` (an .xlsx) or `/export csv`: a manager the whole team, a rep their own deals."""
    wanted = args.strip().lower().lstrip("-").removeprefix("format").strip(" =") or export.XLSX
    if wanted not in (export.XLSX, export.CSV):
        return [Reply("transfer.export.bad_format", ctx.lang)]
    made = export.export(ctx.uow, ctx.team, ctx.user, ctx.lang, wanted)
    mime = XLSX_MIME if wanted == export.XLSX else "text/csv"
    scope = "transfer.export.scope_team" if ctx.user.is_manager else "transfer.export.scope_mine"
    params = made.counts | {"team": ctx.team.name, "scope": render(ctx.lang, scope)}
    return [Reply("transfer.export.done", ctx.lang, params,
                  file=Attachment("document", made.file_name, mime, len(made.data), made.data))]
