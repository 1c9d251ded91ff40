""" Contains all the data models used in inputs/outputs """

from .activity_record import ActivityRecord
from .analyzer_info import AnalyzerInfo
from .analyzer_list import AnalyzerList
from .answer import Answer
from .api_key import ApiKey
from .appearance import Appearance
from .appearance_list import AppearanceList
from .ask_request import AskRequest
from .audit_item import AuditItem
from .audit_page import AuditPage
from .auth_via import AuthVia
from .budget_report import BudgetReport
from .capability_cost import CapabilityCost
from .citation import Citation
from .create_job import CreateJob
from .create_mode import CreateMode
from .created_key import CreatedKey
from .day_usage import DayUsage
from .delivery_info import DeliveryInfo
from .delivery_page import DeliveryPage
from .error_body import ErrorBody
from .error_code import ErrorCode
from .error_info import ErrorInfo
from .event_page import EventPage
from .face_list import FaceList
from .face_record import FaceRecord
from .health_check import HealthCheck
from .health_details import HealthDetails
from .health_outcome import HealthOutcome
from .insight import Insight
from .insight_data import InsightData
from .insight_list import InsightList
from .job import Job
from .job_page import JobPage
from .job_state import JobState
from .key_page import KeyPage
from .label_request import LabelRequest
from .label_source import LabelSource
from .labelled import Labelled
from .lang import Lang
from .language_share import LanguageShare
from .login import Login
from .media import Media
from .media_detail import MediaDetail
from .media_kind import MediaKind
from .media_page import MediaPage
from .media_probe import MediaProbe
from .membership import Membership
from .merge import Merge
from .mode_info import ModeInfo
from .mode_label import ModeLabel
from .mode_list import ModeList
from .mode_model_info import ModeModelInfo
from .mode_model_info_metrics import ModeModelInfoMetrics
from .mode_prediction import ModePrediction
from .mode_probability import ModeProbability
from .model_info import ModelInfo
from .model_info_list import ModelInfoList
from .model_list import ModelList
from .month_usage import MonthUsage
from .move_face import MoveFace
from .new_api_key import NewApiKey
from .new_user import NewUser
from .new_webhook import NewWebhook
from .person import Person
from .person_appearance import PersonAppearance
from .person_match import PersonMatch
from .person_matches import PersonMatches
from .person_page import PersonPage
from .planner import Planner
from .provisioned_worker import ProvisionedWorker
from .pull_status import PullStatus
from .rename import Rename
from .review import Review
from .review_body import ReviewBody
from .role import Role
from .search_hit import SearchHit
from .search_mode import SearchMode
from .search_page import SearchPage
from .search_sort import SearchSort
from .search_status import SearchStatus
from .server_usage import ServerUsage
from .session_info import SessionInfo
from .session_user import SessionUser
from .sign_in import SignIn
from .similar_item import SimilarItem
from .similar_page import SimilarPage
from .sort_order import SortOrder
from .source_type_0 import SourceType0
from .source_type_0_kind import SourceType0Kind
from .source_type_1 import SourceType1
from .source_type_1_kind import SourceType1Kind
from .source_type_2 import SourceType2
from .source_type_2_kind import SourceType2Kind
from .split import Split
from .stage_spec import StageSpec
from .stage_spec_options import StageSpecOptions
from .stage_state import StageState
from .stage_status import StageStatus
from .stage_status_options import StageStatusOptions
from .stored_event import StoredEvent
from .stored_event_data import StoredEventData
from .stored_insight import StoredInsight
from .summary import Summary
from .summary_by import SummaryBy
from .summary_period import SummaryPeriod
from .summary_row import SummaryRow
from .time_range import TimeRange
from .tool_use import ToolUse
from .tool_use_arguments import ToolUseArguments
from .upload_response import UploadResponse
from .usage_report import UsageReport
from .usage_row import UsageRow
from .user import User
from .user_page import UserPage
from .user_update import UserUpdate
from .webhook_event import WebhookEvent
from .webhook_info import WebhookInfo
from .webhook_page import WebhookPage
from .worker_info import WorkerInfo
from .worker_list import WorkerList
from .worker_seen import WorkerSeen
from .worker_status import WorkerStatus
from .workspace_cost import WorkspaceCost
from .workspace_usage_row import WorkspaceUsageRow

__all__ = (
    "ActivityRecord",
    "AnalyzerInfo",
    "AnalyzerList",
    "Answer",
    "ApiKey",
    "Appearance",
    "AppearanceList",
    "AskRequest",
    "AuditItem",
    "AuditPage",
    "AuthVia",
    "BudgetReport",
    "CapabilityCost",
    "Citation",
    "CreatedKey",
    "CreateJob",
    "CreateMode",
    "DayUsage",
    "DeliveryInfo",
    "DeliveryPage",
    "ErrorBody",
    "ErrorCode",
    "ErrorInfo",
    "EventPage",
    "FaceList",
    "FaceRecord",
    "HealthCheck",
    "HealthDetails",
    "HealthOutcome",
    "Insight",
    "InsightData",
    "InsightList",
    "Job",
    "JobPage",
    "JobState",
    "KeyPage",
    "Labelled",
    "LabelRequest",
    "LabelSource",
    "Lang",
    "LanguageShare",
    "Login",
    "Media",
    "MediaDetail",
    "MediaKind",
    "MediaPage",
    "MediaProbe",
    "Membership",
    "Merge",
    "ModeInfo",
    "ModeLabel",
    "ModelInfo",
    "ModelInfoList",
    "ModeList",
    "ModelList",
    "ModeModelInfo",
    "ModeModelInfoMetrics",
    "ModePrediction",
    "ModeProbability",
    "MonthUsage",
    "MoveFace",
    "NewApiKey",
    "NewUser",
    "NewWebhook",
    "Person",
    "PersonAppearance",
    "PersonMatch",
    "PersonMatches",
    "PersonPage",
    "Planner",
    "ProvisionedWorker",
    "PullStatus",
    "Rename",
    "Review",
    "ReviewBody",
    "Role",
    "SearchHit",
    "SearchMode",
    "SearchPage",
    "SearchSort",
    "SearchStatus",
    "ServerUsage",
    "SessionInfo",
    "SessionUser",
    "SignIn",
    "SimilarItem",
    "SimilarPage",
    "SortOrder",
    "SourceType0",
    "SourceType0Kind",
    "SourceType1",
    "SourceType1Kind",
    "SourceType2",
    "SourceType2Kind",
    "Split",
    "StageSpec",
    "StageSpecOptions",
    "StageState",
    "StageStatus",
    "StageStatusOptions",
    "StoredEvent",
    "StoredEventData",
    "StoredInsight",
    "Summary",
    "SummaryBy",
    "SummaryPeriod",
    "SummaryRow",
    "TimeRange",
    "ToolUse",
    "ToolUseArguments",
    "UploadResponse",
    "UsageReport",
    "UsageRow",
    "User",
    "UserPage",
    "UserUpdate",
    "WebhookEvent",
    "WebhookInfo",
    "WebhookPage",
    "WorkerInfo",
    "WorkerList",
    "WorkerSeen",
    "WorkerStatus",
    "WorkspaceCost",
    "WorkspaceUsageRow",
)
