"""The server-rendered pages of applications, one module per user (issue 3, "People and places").

applicant.py  我的办件, 办理主体, 在线申请 and the applicant's steps (commit, upload, withdraw…)
window.py     窗口受理台 (一窗受理): find or register the applicant present, accept any item
officer.py    审批工作台: what is due for the officer's authority, and the officer's transitions
public.py     公开办理进度 and 承诺公开, for everyone
detail.py     the application page every allowed user sees, with the actions their role may take

Views only read forms and call licensing.selectors (what to show) and licensing.services (what to
change); no rule is written here.
"""
