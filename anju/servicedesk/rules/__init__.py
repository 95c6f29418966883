"""Pure rules for the service desk: the working calendar and SLA clocks.

No ORM, no settings, no I/O. The only module that touches a third-party data
package is ``official_calendar`` (it reads ``chinese_calendar``); everything
else works on plain dates, aware datetimes and the frozen values defined here,
so the rules can be tested exhaustively and reused by services, the periodic
sweep and the API alike.
"""
