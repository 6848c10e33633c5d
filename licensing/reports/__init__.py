"""The quarterly reports each department owes (钦政办〔2019〕72号; 钦政发〔2019〕20号 for 钦州港片区; issue 14).

periods    quarters in Qinzhou time, and the year and quarter a request names
selectors  who reads which department's reports, which departments the beat job reports for
figures    the numbers, each read through the selector of the page that lists the same rows
charts     the SVG bar charts of the PDF (and the page)
files      the xlsx workbook and the A4 PDF (through notices.reports_pdf)
services   quarterly_report_generate (on demand) and the beat job's quarterly_reports_generate_due
web, api   the desk pages (/desk/reports/) and GET /api/v1/reports/quarterly/
"""
