from .applicants import Applicant, ApplicantMembership
from .applications import Application, ApplicationEvent, ApplicationReview, Commitment, Licence, MaterialFile, MaterialSubmission, NumberCounter
from .reports import QuarterlyReport
from .catalogue import Item, ItemAuthority, Material, RegulatorRoute, UnicodeJSONEncoder

__all__ = [
    "Applicant", "ApplicantMembership", "Application", "ApplicationEvent", "ApplicationReview", "Commitment", "Item",
    "ItemAuthority", "Licence", "Material", "RegulatorRoute", "MaterialFile", "MaterialSubmission", "NumberCounter", "QuarterlyReport", "UnicodeJSONEncoder",
]
