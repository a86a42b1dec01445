"""Every flow by name: flow state in the database refers to flows by these names."""
from typing import Any

from assistant.chat.flows import (
    add_contact,
    advance_deal,
    back_off,
    edit_deal,
    join_bound_team,
    join_team,
    log_visit,
    mark_lost,
    mark_won,
    new_customer,
    new_deal,
    next_step,
    plan_prospects,
    qualify_deal,
    read_sentence,
    reopen_deal,
    set_target,
    undo_change,
    weekly_check,
)
from assistant.chat.flows.definition import Flow

FLOWS: dict[str, Flow[Any]] = {flow.name: flow for flow in (
    join_team.FLOW, new_deal.FLOW, log_visit.FLOW, advance_deal.FLOW, back_off.FLOW, mark_won.FLOW,
    mark_lost.FLOW, qualify_deal.FLOW, new_customer.FLOW, add_contact.FLOW, plan_prospects.FLOW, set_target.FLOW,
    next_step.FLOW, edit_deal.FLOW, weekly_check.FLOW, join_bound_team.FLOW, reopen_deal.FLOW, undo_change.FLOW,
    read_sentence.FLOW)}
