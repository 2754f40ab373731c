"""Contains all the data models used in inputs/outputs"""

from .action_create import ActionCreate
from .action_create_priority import ActionCreatePriority
from .action_detail import ActionDetail
from .action_due_soon_v1 import ActionDueSoonV1
from .action_due_soon_v1_delivery import ActionDueSoonV1Delivery
from .action_due_soon_v1_priority import ActionDueSoonV1Priority
from .action_out import ActionOut
from .action_overdue_v1 import ActionOverdueV1
from .action_overdue_v1_delivery import ActionOverdueV1Delivery
from .action_overdue_v1_priority import ActionOverdueV1Priority
from .action_step_in import ActionStepIn
from .action_step_in_step import ActionStepInStep
from .action_update import ActionUpdate
from .action_update_priority import ActionUpdatePriority
from .answer_in import AnswerIn
from .answer_out import AnswerOut
from .answer_out_evidence_item import AnswerOutEvidenceItem
from .answers_in import AnswersIn
from .answers_out import AnswersOut
from .api_client_create import ApiClientCreate
from .api_client_created import ApiClientCreated
from .api_client_public import ApiClientPublic
from .appeal_decision_in import AppealDecisionIn
from .appeal_decision_in_outcome import AppealDecisionInOutcome
from .appeal_in import AppealIn
from .appeal_out import AppealOut
from .application_accepted_v1 import ApplicationAcceptedV1
from .application_accepted_v1_delivery import ApplicationAcceptedV1Delivery
from .application_accepted_v1_scheme import ApplicationAcceptedV1Scheme
from .application_in import ApplicationIn
from .application_in_scheme import ApplicationInScheme
from .application_out import ApplicationOut
from .application_out_eligibility import ApplicationOutEligibility
from .application_step_in import ApplicationStepIn
from .application_step_in_step import ApplicationStepInStep
from .applications_list_applications_scheme_type_0 import ApplicationsListApplicationsSchemeType0
from .applications_list_applications_status_type_0 import ApplicationsListApplicationsStatusType0
from .applications_list_group_invitations_status_type_0 import ApplicationsListGroupInvitationsStatusType0
from .attempt_out import AttemptOut
from .audit_out import AuditOut
from .audit_out_findings import AuditOutFindings
from .audit_out_report_document_type_0 import AuditOutReportDocumentType0
from .audit_planned_v1 import AuditPlannedV1
from .audit_planned_v1_delivery import AuditPlannedV1Delivery
from .audit_planned_v1_scheme import AuditPlannedV1Scheme
from .audit_report_submitted_v1 import AuditReportSubmittedV1
from .audit_report_submitted_v1_delivery import AuditReportSubmittedV1Delivery
from .audit_report_submitted_v1_scheme import AuditReportSubmittedV1Scheme
from .audit_report_submitted_v1_summary import AuditReportSubmittedV1Summary
from .audit_request import AuditRequest
from .audit_request_accepted import AuditRequestAccepted
from .audit_request_state import AuditRequestState
from .audit_request_type import AuditRequestType
from .audit_requested_v1 import AuditRequestedV1
from .audit_requested_v1_delivery import AuditRequestedV1Delivery
from .audit_requested_v1_scheme import AuditRequestedV1Scheme
from .audit_step_in import AuditStepIn
from .audit_step_in_step import AuditStepInStep
from .auditor_engagement_page import AuditorEngagementPage
from .auditor_in import AuditorIn
from .auditor_out import AuditorOut
from .auditor_out_qualifications_item import AuditorOutQualificationsItem
from .auditor_update import AuditorUpdate
from .audits_list_findings_type_type_0 import AuditsListFindingsTypeType0
from .audits_list_programmes_scheme_type_0 import AuditsListProgrammesSchemeType0
from .audits_set_maturity_response_audits_set_maturity import AuditsSetMaturityResponseAuditsSetMaturity
from .auth_revoke_token_response_auth_revoke_token import AuthRevokeTokenResponseAuthRevokeToken
from .authorization_server_metadata import AuthorizationServerMetadata
from .body_audits_attach_report import BodyAuditsAttachReport
from .body_auth_authorize_sign_in import BodyAuthAuthorizeSignIn
from .body_auth_issue_token import BodyAuthIssueToken
from .body_auth_revoke_token import BodyAuthRevokeToken
from .body_delivery_page import BodyDeliveryPage
from .body_in import BodyIn
from .body_in_schemes_item import BodyInSchemesItem
from .body_out import BodyOut
from .body_recognitions_import_recognitions import BodyRecognitionsImportRecognitions
from .body_referentials_import_referential import BodyReferentialsImportReferential
from .body_update import BodyUpdate
from .body_update_schemes_item import BodyUpdateSchemesItem
from .certification_bodies_list_deliveries_status_type_0 import CertificationBodiesListDeliveriesStatusType0
from .certification_body_audit_request import CertificationBodyAuditRequest
from .certification_body_audit_request_scheme import CertificationBodyAuditRequestScheme
from .certification_decided_v1 import CertificationDecidedV1
from .certification_decided_v1_delivery import CertificationDecidedV1Delivery
from .certification_decided_v1_outcome import CertificationDecidedV1Outcome
from .change_out import ChangeOut
from .channel_modes import ChannelModes
from .channel_modes_email import ChannelModesEmail
from .channel_modes_in_app import ChannelModesInApp
from .clock_public import ClockPublic
from .clock_update import ClockUpdate
from .comparison import Comparison
from .complaint_in import ComplaintIn
from .complaint_out import ComplaintOut
from .complaint_out_steps_item import ComplaintOutStepsItem
from .complaint_receipt import ComplaintReceipt
from .complaint_received_v1 import ComplaintReceivedV1
from .complaint_received_v1_delivery import ComplaintReceivedV1Delivery
from .complaint_step_in import ComplaintStepIn
from .complaint_step_in_step import ComplaintStepInStep
from .complaints_list_complaints_status_type_0 import ComplaintsListComplaintsStatusType0
from .connection_in import ConnectionIn
from .connection_out import ConnectionOut
from .contract_document import ContractDocument
from .contract_document_info import ContractDocumentInfo
from .contract_document_webhooks import ContractDocumentWebhooks
from .criterion_out import CriterionOut
from .criterion_out_action_templates_item import CriterionOutActionTemplatesItem
from .criterion_out_indicators_item import CriterionOutIndicatorsItem
from .criterion_out_mappings_item import CriterionOutMappingsItem
from .criterion_point_out import CriterionPointOut
from .criterion_score_v1 import CriterionScoreV1
from .dead_letter_list import DeadLetterList
from .dead_letter_public import DeadLetterPublic
from .dead_letter_public_headers import DeadLetterPublicHeaders
from .decision_appeal_decided_v1 import DecisionAppealDecidedV1
from .decision_appeal_decided_v1_delivery import DecisionAppealDecidedV1Delivery
from .decision_appeal_decided_v1_outcome import DecisionAppealDecidedV1Outcome
from .decision_appeal_decided_v1_scheme import DecisionAppealDecidedV1Scheme
from .decision_appeal_lodged_v1 import DecisionAppealLodgedV1
from .decision_appeal_lodged_v1_delivery import DecisionAppealLodgedV1Delivery
from .decision_appeal_lodged_v1_scheme import DecisionAppealLodgedV1Scheme
from .decision_held_v1 import DecisionHeldV1
from .decision_held_v1_delivery import DecisionHeldV1Delivery
from .decision_held_v1_scheme import DecisionHeldV1Scheme
from .decision_in import DecisionIn
from .decision_in_outcome import DecisionInOutcome
from .decision_opened_v1 import DecisionOpenedV1
from .decision_opened_v1_delivery import DecisionOpenedV1Delivery
from .decision_opened_v1_kind import DecisionOpenedV1Kind
from .decision_opened_v1_scheme import DecisionOpenedV1Scheme
from .decision_out import DecisionOut
from .decision_taken_v1 import DecisionTakenV1
from .decision_taken_v1_delivery import DecisionTakenV1Delivery
from .decision_taken_v1_kind import DecisionTakenV1Kind
from .decision_taken_v1_outcome import DecisionTakenV1Outcome
from .decision_taken_v1_scheme import DecisionTakenV1Scheme
from .decisions_list_decisions_scheme_type_0 import DecisionsListDecisionsSchemeType0
from .decisions_list_decisions_status_type_0 import DecisionsListDecisionsStatusType0
from .deleted import Deleted
from .delivery_out import DeliveryOut
from .delivery_out_log_item import DeliveryOutLogItem
from .diagnostic_completed_v1 import DiagnosticCompletedV1
from .diagnostic_completed_v1_delivery import DiagnosticCompletedV1Delivery
from .diagnostic_completed_v1_frameworks import DiagnosticCompletedV1Frameworks
from .diagnostic_completed_v1_kind import DiagnosticCompletedV1Kind
from .diagnostic_create import DiagnosticCreate
from .diagnostic_create_kind import DiagnosticCreateKind
from .diagnostic_out import DiagnosticOut
from .diagnostic_out_audit_evaluation_type_0 import DiagnosticOutAuditEvaluationType0
from .diagnostic_out_facilitator_accounts_item import DiagnosticOutFacilitatorAccountsItem
from .diagnostic_out_key_figures_type_0 import DiagnosticOutKeyFiguresType0
from .diagnostic_out_migrations_item import DiagnosticOutMigrationsItem
from .diagnostic_out_participants_item import DiagnosticOutParticipantsItem
from .diagnostic_out_progress import DiagnosticOutProgress
from .diagnostic_out_referential import DiagnosticOutReferential
from .diagnostic_review_in import DiagnosticReviewIn
from .diagnostic_summary import DiagnosticSummary
from .diagnostic_update import DiagnosticUpdate
from .due_item_out import DueItemOut
from .email_out import EmailOut
from .engagement_in import EngagementIn
from .engagement_in_kind import EngagementInKind
from .engagement_out import EngagementOut
from .evaluated_maturity_v1 import EvaluatedMaturityV1
from .event_preference import EventPreference
from .evidence import Evidence
from .evidence_in import EvidenceIn
from .exits import Exits
from .export_format import ExportFormat
from .feed_page import FeedPage
from .finding_appeal_decided_v1 import FindingAppealDecidedV1
from .finding_appeal_decided_v1_delivery import FindingAppealDecidedV1Delivery
from .finding_appeal_decided_v1_outcome import FindingAppealDecidedV1Outcome
from .finding_appeal_decided_v1_scheme import FindingAppealDecidedV1Scheme
from .finding_appeal_lodged_v1 import FindingAppealLodgedV1
from .finding_appeal_lodged_v1_delivery import FindingAppealLodgedV1Delivery
from .finding_appeal_lodged_v1_finding_type import FindingAppealLodgedV1FindingType
from .finding_appeal_lodged_v1_scheme import FindingAppealLodgedV1Scheme
from .finding_in import FindingIn
from .finding_in_type import FindingInType
from .finding_out import FindingOut
from .finding_out_evidence_item import FindingOutEvidenceItem
from .finding_out_response_evidence_item import FindingOutResponseEvidenceItem
from .finding_response_due_v1 import FindingResponseDueV1
from .finding_response_due_v1_delivery import FindingResponseDueV1Delivery
from .finding_response_due_v1_stage import FindingResponseDueV1Stage
from .finding_response_due_v1_type import FindingResponseDueV1Type
from .finding_status_changed_v1 import FindingStatusChangedV1
from .finding_status_changed_v1_delivery import FindingStatusChangedV1Delivery
from .finding_status_changed_v1_previous_status import FindingStatusChangedV1PreviousStatus
from .finding_status_changed_v1_previous_type_type_0 import FindingStatusChangedV1PreviousTypeType0
from .finding_status_changed_v1_scheme import FindingStatusChangedV1Scheme
from .finding_status_changed_v1_status import FindingStatusChangedV1Status
from .finding_status_changed_v1_type import FindingStatusChangedV1Type
from .finding_v1 import FindingV1
from .finding_v1_type import FindingV1Type
from .gap_out import GapOut
from .gap_recommendation import GapRecommendation
from .group_invitation_out import GroupInvitationOut
from .group_invitation_sent_v1 import GroupInvitationSentV1
from .group_invitation_sent_v1_delivery import GroupInvitationSentV1Delivery
from .group_invitation_sent_v1_scheme import GroupInvitationSentV1Scheme
from .group_member_out import GroupMemberOut
from .group_score_out import GroupScoreOut
from .group_score_v1 import GroupScoreV1
from .import_report import ImportReport
from .import_run_out import ImportRunOut
from .invitation_accept import InvitationAccept
from .invitation_create import InvitationCreate
from .invitation_create_role import InvitationCreateRole
from .invitation_created import InvitationCreated
from .invitation_public import InvitationPublic
from .job_public import JobPublic
from .job_run import JobRun
from .jwks import Jwks
from .key_figures import KeyFigures
from .label_expiring_v1 import LabelExpiringV1
from .label_expiring_v1_delivery import LabelExpiringV1Delivery
from .label_expiring_v1_scheme import LabelExpiringV1Scheme
from .label_surveillance_due_v1 import LabelSurveillanceDueV1
from .label_surveillance_due_v1_delivery import LabelSurveillanceDueV1Delivery
from .label_surveillance_due_v1_scheme import LabelSurveillanceDueV1Scheme
from .label_surveillance_due_v1_stage import LabelSurveillanceDueV1Stage
from .labelling_appeal_decision_in import LabellingAppealDecisionIn
from .labelling_appeal_decision_in_outcome import LabellingAppealDecisionInOutcome
from .labelling_appeal_in import LabellingAppealIn
from .labelling_appeal_out import LabellingAppealOut
from .labelling_decision_out import LabellingDecisionOut
from .labelling_decision_out_evaluation_type_0 import LabellingDecisionOutEvaluationType0
from .labelling_decision_out_hold_type_0 import LabellingDecisionOutHoldType0
from .labelling_decision_out_steps_item import LabellingDecisionOutStepsItem
from .labelling_engagement_in import LabellingEngagementIn
from .labelling_engagement_in_kind import LabellingEngagementInKind
from .labelling_engagement_out import LabellingEngagementOut
from .latest_diagnostic import LatestDiagnostic
from .latest_diagnostic_progress import LatestDiagnosticProgress
from .latest_diagnostic_referential import LatestDiagnosticReferential
from .level_out import LevelOut
from .level_rule_out import LevelRuleOut
from .level_rules_export_level_rule_format import LevelRulesExportLevelRuleFormat
from .level_rules_export_level_rule_level_rule import LevelRulesExportLevelRuleLevelRule
from .level_rules_export_level_rule_level_rule_core_criteria import LevelRulesExportLevelRuleLevelRuleCoreCriteria
from .level_rules_export_level_rule_level_rule_core_criteria_core_cap import (
    LevelRulesExportLevelRuleLevelRuleCoreCriteriaCoreCap,
)
from .level_rules_export_level_rule_level_rule_level import LevelRulesExportLevelRuleLevelRuleLevel
from .level_rules_export_level_rule_level_rule_level_core_subject_minimums import (
    LevelRulesExportLevelRuleLevelRuleLevelCoreSubjectMinimums,
)
from .level_rules_export_level_rule_level_rule_referential_version import (
    LevelRulesExportLevelRuleLevelRuleReferentialVersion,
)
from .level_rules_import_level_rule_json_level_rule import LevelRulesImportLevelRuleJsonLevelRule
from .level_rules_import_level_rule_json_level_rule_core_criteria import (
    LevelRulesImportLevelRuleJsonLevelRuleCoreCriteria,
)
from .level_rules_import_level_rule_json_level_rule_core_criteria_core_cap import (
    LevelRulesImportLevelRuleJsonLevelRuleCoreCriteriaCoreCap,
)
from .level_rules_import_level_rule_json_level_rule_level import LevelRulesImportLevelRuleJsonLevelRuleLevel
from .level_rules_import_level_rule_json_level_rule_level_core_subject_minimums import (
    LevelRulesImportLevelRuleJsonLevelRuleLevelCoreSubjectMinimums,
)
from .level_rules_import_level_rule_json_level_rule_referential_version import (
    LevelRulesImportLevelRuleJsonLevelRuleReferentialVersion,
)
from .maturity import Maturity
from .maturity_bands import MaturityBands
from .maturity_batch import MaturityBatch
from .maturity_in import MaturityIn
from .me import Me
from .me_kind import MeKind
from .me_organisations_item import MeOrganisationsItem
from .membership_create import MembershipCreate
from .membership_create_role import MembershipCreateRole
from .membership_public import MembershipPublic
from .migrate_in import MigrateIn
from .migrate_in_strategy import MigrateInStrategy
from .network_cell import NetworkCell
from .network_scope import NetworkScope
from .network_statistics import NetworkStatistics
from .network_totals import NetworkTotals
from .notification_out import NotificationOut
from .notifications_delivery_out import NotificationsDeliveryOut
from .notifications_list_emails_status_type_0 import NotificationsListEmailsStatusType0
from .notifications_mark_all_read_response_notifications_mark_all_read import (
    NotificationsMarkAllReadResponseNotificationsMarkAllRead,
)
from .notifications_unread_count_response_notifications_unread_count import (
    NotificationsUnreadCountResponseNotificationsUnreadCount,
)
from .open_id_configuration import OpenIdConfiguration
from .organisation_create import OrganisationCreate
from .organisation_create_siae_types_item import OrganisationCreateSiaeTypesItem
from .organisation_public import OrganisationPublic
from .organisation_ref import OrganisationRef
from .outbox_status import OutboxStatus
from .overview import Overview
from .overview_parts import OverviewParts
from .page_api_client_public import PageApiClientPublic
from .page_application_out import PageApplicationOut
from .page_auditor_out import PageAuditorOut
from .page_body_out import PageBodyOut
from .page_complaint_out import PageComplaintOut
from .page_decision_out import PageDecisionOut
from .page_delivery_out import PageDeliveryOut
from .page_email_out import PageEmailOut
from .page_engagement_out import PageEngagementOut
from .page_group_invitation_out import PageGroupInvitationOut
from .page_import_run_out import PageImportRunOut
from .page_invitation_public import PageInvitationPublic
from .page_job_public import PageJobPublic
from .page_level_rule_out import PageLevelRuleOut
from .page_organisation_public import PageOrganisationPublic
from .page_programme_out import PageProgrammeOut
from .page_referential_summary import PageReferentialSummary
from .page_resource_out import PageResourceOut
from .page_secret_out import PageSecretOut
from .page_signing_key_public import PageSigningKeyPublic
from .page_subscription_out import PageSubscriptionOut
from .page_suggestion import PageSuggestion
from .page_user_public import PageUserPublic
from .part_result import PartResult
from .part_result_status import PartResultStatus
from .participant import Participant
from .participant_category import ParticipantCategory
from .password_change import PasswordChange
from .peer_group import PeerGroup
from .peer_position import PeerPosition
from .pending_webhook import PendingWebhook
from .pending_webhook_payload import PendingWebhookPayload
from .plan_in import PlanIn
from .plan_out import PlanOut
from .plan_out_counts import PlanOutCounts
from .preferences_in import PreferencesIn
from .preferences_in_events import PreferencesInEvents
from .preferences_out import PreferencesOut
from .preferences_out_events import PreferencesOutEvents
from .problem import Problem
from .problem_errors_item import ProblemErrorsItem
from .problem_type_public import ProblemTypePublic
from .problem_types import ProblemTypes
from .programme_out import ProgrammeOut
from .public_change import PublicChange
from .public_jwk import PublicJwk
from .public_structure import PublicStructure
from .qualification import Qualification
from .qualification_scheme import QualificationScheme
from .quarter import Quarter
from .quiet_hours_in import QuietHoursIn
from .raise_out import RaiseOut
from .readiness import Readiness
from .readiness_checks import ReadinessChecks
from .recognition_out import RecognitionOut
from .recognition_status_changed_v1 import RecognitionStatusChangedV1
from .recognition_status_changed_v1_delivery import RecognitionStatusChangedV1Delivery
from .recognition_status_changed_v1_previous_status_type_0 import RecognitionStatusChangedV1PreviousStatusType0
from .recognition_status_changed_v1_scheme import RecognitionStatusChangedV1Scheme
from .recognition_status_changed_v1_status import RecognitionStatusChangedV1Status
from .recognition_step_in import RecognitionStepIn
from .recognition_step_in_step import RecognitionStepInStep
from .recognitions_list_recognitions_scheme_type_0 import RecognitionsListRecognitionsSchemeType0
from .recognitions_list_recognitions_status_type_0 import RecognitionsListRecognitionsStatusType0
from .recommendations import Recommendations
from .recommended_resource import RecommendedResource
from .referential_detail import ReferentialDetail
from .referential_detail_bands_item import ReferentialDetailBandsItem
from .referential_detail_changes_type_0 import ReferentialDetailChangesType0
from .referential_detail_extends_item import ReferentialDetailExtendsItem
from .referential_detail_frameworks_item import ReferentialDetailFrameworksItem
from .referential_imported import ReferentialImported
from .referential_imported_changes_type_0 import ReferentialImportedChangesType0
from .referential_imported_extends_item import ReferentialImportedExtendsItem
from .referential_ref import ReferentialRef
from .referential_summary import ReferentialSummary
from .referential_summary_extends_item import ReferentialSummaryExtendsItem
from .referentials_export_referential_referential_file import ReferentialsExportReferentialReferentialFile
from .referentials_export_referential_referential_file_band import ReferentialsExportReferentialReferentialFileBand
from .referentials_export_referential_referential_file_extends import (
    ReferentialsExportReferentialReferentialFileExtends,
)
from .referentials_export_referential_referential_file_framework import (
    ReferentialsExportReferentialReferentialFileFramework,
)
from .referentials_export_referential_referential_file_framework_framework_item import (
    ReferentialsExportReferentialReferentialFileFrameworkFrameworkItem,
)
from .referentials_export_referential_referential_file_scale import ReferentialsExportReferentialReferentialFileScale
from .referentials_export_referential_referential_file_scale_level import (
    ReferentialsExportReferentialReferentialFileScaleLevel,
)
from .referentials_export_referential_referential_file_status import ReferentialsExportReferentialReferentialFileStatus
from .referentials_export_referential_referential_file_theme import ReferentialsExportReferentialReferentialFileTheme
from .referentials_export_referential_referential_file_theme_criterion import (
    ReferentialsExportReferentialReferentialFileThemeCriterion,
)
from .referentials_export_referential_referential_file_theme_criterion_action_template import (
    ReferentialsExportReferentialReferentialFileThemeCriterionActionTemplate,
)
from .referentials_export_referential_referential_file_theme_criterion_action_template_priority import (
    ReferentialsExportReferentialReferentialFileThemeCriterionActionTemplatePriority,
)
from .referentials_export_referential_referential_file_theme_criterion_criterion_kind import (
    ReferentialsExportReferentialReferentialFileThemeCriterionCriterionKind,
)
from .referentials_export_referential_referential_file_theme_criterion_indicator import (
    ReferentialsExportReferentialReferentialFileThemeCriterionIndicator,
)
from .referentials_export_referential_referential_file_theme_criterion_mapping import (
    ReferentialsExportReferentialReferentialFileThemeCriterionMapping,
)
from .registry_entry import RegistryEntry
from .registry_page import RegistryPage
from .registry_search_registry_scheme_type_0 import RegistrySearchRegistrySchemeType0
from .registry_search_registry_siae_type_type_0 import RegistrySearchRegistrySiaeTypeType0
from .registry_search_registry_status_type_0 import RegistrySearchRegistryStatusType0
from .resource_in import ResourceIn
from .resource_in_kind import ResourceInKind
from .resource_out import ResourceOut
from .resource_update import ResourceUpdate
from .resource_update_kind import ResourceUpdateKind
from .resources_search_resources_kind_type_0 import ResourcesSearchResourcesKindType0
from .response_in import ResponseIn
from .review_in import ReviewIn
from .review_in_decision import ReviewInDecision
from .review_out import ReviewOut
from .row_error import RowError
from .row_outcome import RowOutcome
from .row_outcome_outcome import RowOutcomeOutcome
from .sample_size_out import SampleSizeOut
from .sampling_out import SamplingOut
from .scope import Scope
from .scope_reduction_in import ScopeReductionIn
from .scores_out import ScoresOut
from .scores_out_frameworks import ScoresOutFrameworks
from .secret_created import SecretCreated
from .secret_out import SecretOut
from .signing_key_public import SigningKeyPublic
from .stage_2_required_v1 import Stage2RequiredV1
from .stage_2_required_v1_delivery import Stage2RequiredV1Delivery
from .stage_2_required_v1_scheme import Stage2RequiredV1Scheme
from .statistics_network_statistics_siae_type_type_0 import StatisticsNetworkStatisticsSiaeTypeType0
from .subscription_in import SubscriptionIn
from .subscription_out import SubscriptionOut
from .subscription_patch import SubscriptionPatch
from .subscription_patch_status_type_0 import SubscriptionPatchStatusType0
from .subscription_with_secret import SubscriptionWithSecret
from .suggestion import Suggestion
from .suggestion_evidence_item import SuggestionEvidenceItem
from .suppressed import Suppressed
from .suppressed_cell import SuppressedCell
from .suppressed_maturity import SuppressedMaturity
from .suppressed_peer_group import SuppressedPeerGroup
from .suppressed_quarter import SuppressedQuarter
from .sync_page_answer_out import SyncPageAnswerOut
from .sync_page_audit_out import SyncPageAuditOut
from .sync_page_diagnostic_out import SyncPageDiagnosticOut
from .sync_page_finding_out import SyncPageFindingOut
from .sync_page_plan_out import SyncPagePlanOut
from .sync_page_recognition_out import SyncPageRecognitionOut
from .team_member import TeamMember
from .team_member_role import TeamMemberRole
from .team_out import TeamOut
from .theme_out import ThemeOut
from .token_response import TokenResponse
from .transition_action import TransitionAction
from .transition_in import TransitionIn
from .user_info import UserInfo
from .user_info_organisations_item import UserInfoOrganisationsItem
from .user_info_roles_item import UserInfoRolesItem
from .user_public import UserPublic
from .user_update import UserUpdate
from .user_update_status_type_0 import UserUpdateStatusType0
from .verification import Verification
from .webhook_receipt import WebhookReceipt
from .webhooks_list_deliveries_status_type_0 import WebhooksListDeliveriesStatusType0

__all__ = (
    "ActionCreate",
    "ActionCreatePriority",
    "ActionDetail",
    "ActionDueSoonV1",
    "ActionDueSoonV1Delivery",
    "ActionDueSoonV1Priority",
    "ActionOut",
    "ActionOverdueV1",
    "ActionOverdueV1Delivery",
    "ActionOverdueV1Priority",
    "ActionStepIn",
    "ActionStepInStep",
    "ActionUpdate",
    "ActionUpdatePriority",
    "AnswerIn",
    "AnswerOut",
    "AnswerOutEvidenceItem",
    "AnswersIn",
    "AnswersOut",
    "ApiClientCreate",
    "ApiClientCreated",
    "ApiClientPublic",
    "AppealDecisionIn",
    "AppealDecisionInOutcome",
    "AppealIn",
    "AppealOut",
    "ApplicationAcceptedV1",
    "ApplicationAcceptedV1Delivery",
    "ApplicationAcceptedV1Scheme",
    "ApplicationIn",
    "ApplicationInScheme",
    "ApplicationOut",
    "ApplicationOutEligibility",
    "ApplicationsListApplicationsSchemeType0",
    "ApplicationsListApplicationsStatusType0",
    "ApplicationsListGroupInvitationsStatusType0",
    "ApplicationStepIn",
    "ApplicationStepInStep",
    "AttemptOut",
    "AuditorEngagementPage",
    "AuditorIn",
    "AuditorOut",
    "AuditorOutQualificationsItem",
    "AuditorUpdate",
    "AuditOut",
    "AuditOutFindings",
    "AuditOutReportDocumentType0",
    "AuditPlannedV1",
    "AuditPlannedV1Delivery",
    "AuditPlannedV1Scheme",
    "AuditReportSubmittedV1",
    "AuditReportSubmittedV1Delivery",
    "AuditReportSubmittedV1Scheme",
    "AuditReportSubmittedV1Summary",
    "AuditRequest",
    "AuditRequestAccepted",
    "AuditRequestedV1",
    "AuditRequestedV1Delivery",
    "AuditRequestedV1Scheme",
    "AuditRequestState",
    "AuditRequestType",
    "AuditsListFindingsTypeType0",
    "AuditsListProgrammesSchemeType0",
    "AuditsSetMaturityResponseAuditsSetMaturity",
    "AuditStepIn",
    "AuditStepInStep",
    "AuthorizationServerMetadata",
    "AuthRevokeTokenResponseAuthRevokeToken",
    "BodyAuditsAttachReport",
    "BodyAuthAuthorizeSignIn",
    "BodyAuthIssueToken",
    "BodyAuthRevokeToken",
    "BodyDeliveryPage",
    "BodyIn",
    "BodyInSchemesItem",
    "BodyOut",
    "BodyRecognitionsImportRecognitions",
    "BodyReferentialsImportReferential",
    "BodyUpdate",
    "BodyUpdateSchemesItem",
    "CertificationBodiesListDeliveriesStatusType0",
    "CertificationBodyAuditRequest",
    "CertificationBodyAuditRequestScheme",
    "CertificationDecidedV1",
    "CertificationDecidedV1Delivery",
    "CertificationDecidedV1Outcome",
    "ChangeOut",
    "ChannelModes",
    "ChannelModesEmail",
    "ChannelModesInApp",
    "ClockPublic",
    "ClockUpdate",
    "Comparison",
    "ComplaintIn",
    "ComplaintOut",
    "ComplaintOutStepsItem",
    "ComplaintReceipt",
    "ComplaintReceivedV1",
    "ComplaintReceivedV1Delivery",
    "ComplaintsListComplaintsStatusType0",
    "ComplaintStepIn",
    "ComplaintStepInStep",
    "ConnectionIn",
    "ConnectionOut",
    "ContractDocument",
    "ContractDocumentInfo",
    "ContractDocumentWebhooks",
    "CriterionOut",
    "CriterionOutActionTemplatesItem",
    "CriterionOutIndicatorsItem",
    "CriterionOutMappingsItem",
    "CriterionPointOut",
    "CriterionScoreV1",
    "DeadLetterList",
    "DeadLetterPublic",
    "DeadLetterPublicHeaders",
    "DecisionAppealDecidedV1",
    "DecisionAppealDecidedV1Delivery",
    "DecisionAppealDecidedV1Outcome",
    "DecisionAppealDecidedV1Scheme",
    "DecisionAppealLodgedV1",
    "DecisionAppealLodgedV1Delivery",
    "DecisionAppealLodgedV1Scheme",
    "DecisionHeldV1",
    "DecisionHeldV1Delivery",
    "DecisionHeldV1Scheme",
    "DecisionIn",
    "DecisionInOutcome",
    "DecisionOpenedV1",
    "DecisionOpenedV1Delivery",
    "DecisionOpenedV1Kind",
    "DecisionOpenedV1Scheme",
    "DecisionOut",
    "DecisionsListDecisionsSchemeType0",
    "DecisionsListDecisionsStatusType0",
    "DecisionTakenV1",
    "DecisionTakenV1Delivery",
    "DecisionTakenV1Kind",
    "DecisionTakenV1Outcome",
    "DecisionTakenV1Scheme",
    "Deleted",
    "DeliveryOut",
    "DeliveryOutLogItem",
    "DiagnosticCompletedV1",
    "DiagnosticCompletedV1Delivery",
    "DiagnosticCompletedV1Frameworks",
    "DiagnosticCompletedV1Kind",
    "DiagnosticCreate",
    "DiagnosticCreateKind",
    "DiagnosticOut",
    "DiagnosticOutAuditEvaluationType0",
    "DiagnosticOutFacilitatorAccountsItem",
    "DiagnosticOutKeyFiguresType0",
    "DiagnosticOutMigrationsItem",
    "DiagnosticOutParticipantsItem",
    "DiagnosticOutProgress",
    "DiagnosticOutReferential",
    "DiagnosticReviewIn",
    "DiagnosticSummary",
    "DiagnosticUpdate",
    "DueItemOut",
    "EmailOut",
    "EngagementIn",
    "EngagementInKind",
    "EngagementOut",
    "EvaluatedMaturityV1",
    "EventPreference",
    "Evidence",
    "EvidenceIn",
    "Exits",
    "ExportFormat",
    "FeedPage",
    "FindingAppealDecidedV1",
    "FindingAppealDecidedV1Delivery",
    "FindingAppealDecidedV1Outcome",
    "FindingAppealDecidedV1Scheme",
    "FindingAppealLodgedV1",
    "FindingAppealLodgedV1Delivery",
    "FindingAppealLodgedV1FindingType",
    "FindingAppealLodgedV1Scheme",
    "FindingIn",
    "FindingInType",
    "FindingOut",
    "FindingOutEvidenceItem",
    "FindingOutResponseEvidenceItem",
    "FindingResponseDueV1",
    "FindingResponseDueV1Delivery",
    "FindingResponseDueV1Stage",
    "FindingResponseDueV1Type",
    "FindingStatusChangedV1",
    "FindingStatusChangedV1Delivery",
    "FindingStatusChangedV1PreviousStatus",
    "FindingStatusChangedV1PreviousTypeType0",
    "FindingStatusChangedV1Scheme",
    "FindingStatusChangedV1Status",
    "FindingStatusChangedV1Type",
    "FindingV1",
    "FindingV1Type",
    "GapOut",
    "GapRecommendation",
    "GroupInvitationOut",
    "GroupInvitationSentV1",
    "GroupInvitationSentV1Delivery",
    "GroupInvitationSentV1Scheme",
    "GroupMemberOut",
    "GroupScoreOut",
    "GroupScoreV1",
    "ImportReport",
    "ImportRunOut",
    "InvitationAccept",
    "InvitationCreate",
    "InvitationCreated",
    "InvitationCreateRole",
    "InvitationPublic",
    "JobPublic",
    "JobRun",
    "Jwks",
    "KeyFigures",
    "LabelExpiringV1",
    "LabelExpiringV1Delivery",
    "LabelExpiringV1Scheme",
    "LabellingAppealDecisionIn",
    "LabellingAppealDecisionInOutcome",
    "LabellingAppealIn",
    "LabellingAppealOut",
    "LabellingDecisionOut",
    "LabellingDecisionOutEvaluationType0",
    "LabellingDecisionOutHoldType0",
    "LabellingDecisionOutStepsItem",
    "LabellingEngagementIn",
    "LabellingEngagementInKind",
    "LabellingEngagementOut",
    "LabelSurveillanceDueV1",
    "LabelSurveillanceDueV1Delivery",
    "LabelSurveillanceDueV1Scheme",
    "LabelSurveillanceDueV1Stage",
    "LatestDiagnostic",
    "LatestDiagnosticProgress",
    "LatestDiagnosticReferential",
    "LevelOut",
    "LevelRuleOut",
    "LevelRulesExportLevelRuleFormat",
    "LevelRulesExportLevelRuleLevelRule",
    "LevelRulesExportLevelRuleLevelRuleCoreCriteria",
    "LevelRulesExportLevelRuleLevelRuleCoreCriteriaCoreCap",
    "LevelRulesExportLevelRuleLevelRuleLevel",
    "LevelRulesExportLevelRuleLevelRuleLevelCoreSubjectMinimums",
    "LevelRulesExportLevelRuleLevelRuleReferentialVersion",
    "LevelRulesImportLevelRuleJsonLevelRule",
    "LevelRulesImportLevelRuleJsonLevelRuleCoreCriteria",
    "LevelRulesImportLevelRuleJsonLevelRuleCoreCriteriaCoreCap",
    "LevelRulesImportLevelRuleJsonLevelRuleLevel",
    "LevelRulesImportLevelRuleJsonLevelRuleLevelCoreSubjectMinimums",
    "LevelRulesImportLevelRuleJsonLevelRuleReferentialVersion",
    "Maturity",
    "MaturityBands",
    "MaturityBatch",
    "MaturityIn",
    "Me",
    "MeKind",
    "MembershipCreate",
    "MembershipCreateRole",
    "MembershipPublic",
    "MeOrganisationsItem",
    "MigrateIn",
    "MigrateInStrategy",
    "NetworkCell",
    "NetworkScope",
    "NetworkStatistics",
    "NetworkTotals",
    "NotificationOut",
    "NotificationsDeliveryOut",
    "NotificationsListEmailsStatusType0",
    "NotificationsMarkAllReadResponseNotificationsMarkAllRead",
    "NotificationsUnreadCountResponseNotificationsUnreadCount",
    "OpenIdConfiguration",
    "OrganisationCreate",
    "OrganisationCreateSiaeTypesItem",
    "OrganisationPublic",
    "OrganisationRef",
    "OutboxStatus",
    "Overview",
    "OverviewParts",
    "PageApiClientPublic",
    "PageApplicationOut",
    "PageAuditorOut",
    "PageBodyOut",
    "PageComplaintOut",
    "PageDecisionOut",
    "PageDeliveryOut",
    "PageEmailOut",
    "PageEngagementOut",
    "PageGroupInvitationOut",
    "PageImportRunOut",
    "PageInvitationPublic",
    "PageJobPublic",
    "PageLevelRuleOut",
    "PageOrganisationPublic",
    "PageProgrammeOut",
    "PageReferentialSummary",
    "PageResourceOut",
    "PageSecretOut",
    "PageSigningKeyPublic",
    "PageSubscriptionOut",
    "PageSuggestion",
    "PageUserPublic",
    "Participant",
    "ParticipantCategory",
    "PartResult",
    "PartResultStatus",
    "PasswordChange",
    "PeerGroup",
    "PeerPosition",
    "PendingWebhook",
    "PendingWebhookPayload",
    "PlanIn",
    "PlanOut",
    "PlanOutCounts",
    "PreferencesIn",
    "PreferencesInEvents",
    "PreferencesOut",
    "PreferencesOutEvents",
    "Problem",
    "ProblemErrorsItem",
    "ProblemTypePublic",
    "ProblemTypes",
    "ProgrammeOut",
    "PublicChange",
    "PublicJwk",
    "PublicStructure",
    "Qualification",
    "QualificationScheme",
    "Quarter",
    "QuietHoursIn",
    "RaiseOut",
    "Readiness",
    "ReadinessChecks",
    "RecognitionOut",
    "RecognitionsListRecognitionsSchemeType0",
    "RecognitionsListRecognitionsStatusType0",
    "RecognitionStatusChangedV1",
    "RecognitionStatusChangedV1Delivery",
    "RecognitionStatusChangedV1PreviousStatusType0",
    "RecognitionStatusChangedV1Scheme",
    "RecognitionStatusChangedV1Status",
    "RecognitionStepIn",
    "RecognitionStepInStep",
    "Recommendations",
    "RecommendedResource",
    "ReferentialDetail",
    "ReferentialDetailBandsItem",
    "ReferentialDetailChangesType0",
    "ReferentialDetailExtendsItem",
    "ReferentialDetailFrameworksItem",
    "ReferentialImported",
    "ReferentialImportedChangesType0",
    "ReferentialImportedExtendsItem",
    "ReferentialRef",
    "ReferentialsExportReferentialReferentialFile",
    "ReferentialsExportReferentialReferentialFileBand",
    "ReferentialsExportReferentialReferentialFileExtends",
    "ReferentialsExportReferentialReferentialFileFramework",
    "ReferentialsExportReferentialReferentialFileFrameworkFrameworkItem",
    "ReferentialsExportReferentialReferentialFileScale",
    "ReferentialsExportReferentialReferentialFileScaleLevel",
    "ReferentialsExportReferentialReferentialFileStatus",
    "ReferentialsExportReferentialReferentialFileTheme",
    "ReferentialsExportReferentialReferentialFileThemeCriterion",
    "ReferentialsExportReferentialReferentialFileThemeCriterionActionTemplate",
    "ReferentialsExportReferentialReferentialFileThemeCriterionActionTemplatePriority",
    "ReferentialsExportReferentialReferentialFileThemeCriterionCriterionKind",
    "ReferentialsExportReferentialReferentialFileThemeCriterionIndicator",
    "ReferentialsExportReferentialReferentialFileThemeCriterionMapping",
    "ReferentialSummary",
    "ReferentialSummaryExtendsItem",
    "RegistryEntry",
    "RegistryPage",
    "RegistrySearchRegistrySchemeType0",
    "RegistrySearchRegistrySiaeTypeType0",
    "RegistrySearchRegistryStatusType0",
    "ResourceIn",
    "ResourceInKind",
    "ResourceOut",
    "ResourcesSearchResourcesKindType0",
    "ResourceUpdate",
    "ResourceUpdateKind",
    "ResponseIn",
    "ReviewIn",
    "ReviewInDecision",
    "ReviewOut",
    "RowError",
    "RowOutcome",
    "RowOutcomeOutcome",
    "SampleSizeOut",
    "SamplingOut",
    "Scope",
    "ScopeReductionIn",
    "ScoresOut",
    "ScoresOutFrameworks",
    "SecretCreated",
    "SecretOut",
    "SigningKeyPublic",
    "Stage2RequiredV1",
    "Stage2RequiredV1Delivery",
    "Stage2RequiredV1Scheme",
    "StatisticsNetworkStatisticsSiaeTypeType0",
    "SubscriptionIn",
    "SubscriptionOut",
    "SubscriptionPatch",
    "SubscriptionPatchStatusType0",
    "SubscriptionWithSecret",
    "Suggestion",
    "SuggestionEvidenceItem",
    "Suppressed",
    "SuppressedCell",
    "SuppressedMaturity",
    "SuppressedPeerGroup",
    "SuppressedQuarter",
    "SyncPageAnswerOut",
    "SyncPageAuditOut",
    "SyncPageDiagnosticOut",
    "SyncPageFindingOut",
    "SyncPagePlanOut",
    "SyncPageRecognitionOut",
    "TeamMember",
    "TeamMemberRole",
    "TeamOut",
    "ThemeOut",
    "TokenResponse",
    "TransitionAction",
    "TransitionIn",
    "UserInfo",
    "UserInfoOrganisationsItem",
    "UserInfoRolesItem",
    "UserPublic",
    "UserUpdate",
    "UserUpdateStatusType0",
    "Verification",
    "WebhookReceipt",
    "WebhooksListDeliveriesStatusType0",
)
