"""The conversation: one event in, replies out.

`engine.py` opens the unit of work and finds who is talking; `router.py` sends the event to a
command, a button's route or the flow in progress; `flows/` holds the guided steps as data;
`views.py` the read-only answers. It uses the method's rules and never a platform.
"""
