"""Staff pages of the service desk: intake, the order page and its actions, the queues.

One module per page family; administrators' pages (alerts, calendar, SLA) live in
`views/admin.py`.
"""
