"""Spreadsheets in and out: a team's funnel read from an .xlsx or .csv (`tables`, `columns`,
`plan`), written in one transaction once confirmed (`writing`), and exported (`export`).

Between the method and the chat: it reads cells with the method's own readers (amounts,
dates, customer names, stages) and reaches the database only through the unit of work.
"""
