from .applicants import Applicant, ApplicantMembership
from .applications import Application, ApplicationEvent, ApplicationReview, Commitment, Licence, MaterialFile, MaterialSubmission, NumberCounter
from .ratings import Rating
from .registrations import Registration, RegistrationItem, RegistrationSender
from .reports import QuarterlyReport
from .scope import ScopeKeyword
from .catalogue import Item, ItemAuthority, Material, RegulatorRoute, UnicodeJSONEncoder

__all__ = [
    "Applicant", "ApplicantMembership", "Application", "ApplicationEvent", "ApplicationReview", "Commitment", "Item",
    "ItemAuthority", "Licence", "Material", "RegulatorRoute", "MaterialFile", "MaterialSubmission", "NumberCounter", "QuarterlyReport", "Rating", "Registration", "RegistrationItem", "RegistrationSender", "ScopeKeyword", "UnicodeJSONEncoder",
]
