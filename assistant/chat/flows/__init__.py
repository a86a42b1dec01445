"""Guided steps as data: `definition.py` (what a flow is), `runner.py` (one step per event),
`forms.py` (a whole flow at once), `answers.py` (the parsers and options fields share), and
one module per flow, named verb_object."""
