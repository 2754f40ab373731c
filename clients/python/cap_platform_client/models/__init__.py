"""Contains all the data models used in inputs/outputs"""

from .action_create import ActionCreate
from .action_create_priority import ActionCreatePriority
from .action_detail import ActionDetail
from .action_due_soon_v1 import ActionDueSoonV1
from .action_due_soon_v1_delivery import ActionDueSoonV1Delivery
from .action_due_soon_v1_priority import ActionDueSoonV1Priority
from .action_overdue_v1 import ActionOverdueV1
from .action_overdue_v1_delivery import ActionOverdueV1Delivery
from .action_overdue_v1_priority import ActionOverdueV1Priority
from .action_public import ActionPublic
from .action_transition import ActionTransition
from .action_transition_step import ActionTransitionStep
from .action_update import ActionUpdate
from .action_update_priority import ActionUpdatePriority
from .answer_public import AnswerPublic
from .answer_public_evidence_item import AnswerPublicEvidenceItem
from .answer_update import AnswerUpdate
from .answers_saved import AnswersSaved
from .answers_update import AnswersUpdate
from .api_client_create import ApiClientCreate
from .api_client_created import ApiClientCreated
from .api_client_public import ApiClientPublic
from .appeal_create import AppealCreate
from .appeal_decision import AppealDecision
from .appeal_decision_outcome import AppealDecisionOutcome
from .appeal_public import AppealPublic
from .application_accepted_v1 import ApplicationAcceptedV1
from .application_accepted_v1_delivery import ApplicationAcceptedV1Delivery
from .application_accepted_v1_scheme import ApplicationAcceptedV1Scheme
from .application_create import ApplicationCreate
from .application_create_scheme import ApplicationCreateScheme
from .application_public import ApplicationPublic
from .application_public_eligibility import ApplicationPublicEligibility
from .application_transition import ApplicationTransition
from .application_transition_step import ApplicationTransitionStep
from .applications_list_applications_scheme_type_0 import ApplicationsListApplicationsSchemeType0
from .applications_list_applications_status_type_0 import ApplicationsListApplicationsStatusType0
from .applications_list_group_invitations_status_type_0 import ApplicationsListGroupInvitationsStatusType0
from .attempt_public import AttemptPublic
from .audit_anchor_public import AuditAnchorPublic
from .audit_checkpoint_public import AuditCheckpointPublic
from .audit_entry_list import AuditEntryList
from .audit_entry_public import AuditEntryPublic
from .audit_maturity import AuditMaturity
from .audit_plan_update import AuditPlanUpdate
from .audit_planned_v1 import AuditPlannedV1
from .audit_planned_v1_delivery import AuditPlannedV1Delivery
from .audit_planned_v1_scheme import AuditPlannedV1Scheme
from .audit_problem_public import AuditProblemPublic
from .audit_problem_public_kind import AuditProblemPublicKind
from .audit_public import AuditPublic
from .audit_public_findings import AuditPublicFindings
from .audit_public_organisation_names import AuditPublicOrganisationNames
from .audit_public_report_document_type_0 import AuditPublicReportDocumentType0
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
from .audit_transition import AuditTransition
from .audit_transition_step import AuditTransitionStep
from .audit_verification_public import AuditVerificationPublic
from .auditor_create import AuditorCreate
from .auditor_engagement_page import AuditorEngagementPage
from .auditor_public import AuditorPublic
from .auditor_public_qualifications_item import AuditorPublicQualificationsItem
from .auditor_update import AuditorUpdate
from .audits_list_findings_type_type_0 import AuditsListFindingsTypeType0
from .audits_list_programmes_scheme_type_0 import AuditsListProgrammesSchemeType0
from .audits_set_maturity_response_audits_set_maturity import AuditsSetMaturityResponseAuditsSetMaturity
from .auth_revoke_token_response_auth_revoke_token import AuthRevokeTokenResponseAuthRevokeToken
from .authorization_server_metadata import AuthorizationServerMetadata
from .band_gap import BandGap
from .body_audits_attach_report import BodyAuditsAttachReport
from .body_auth_authorize_sign_in import BodyAuthAuthorizeSignIn
from .body_auth_issue_token import BodyAuthIssueToken
from .body_auth_revoke_token import BodyAuthRevokeToken
from .body_create import BodyCreate
from .body_create_schemes_item import BodyCreateSchemesItem
from .body_delivery_page import BodyDeliveryPage
from .body_public import BodyPublic
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
from .change_public import ChangePublic
from .channel_modes import ChannelModes
from .channel_modes_email import ChannelModesEmail
from .channel_modes_in_app import ChannelModesInApp
from .clock_public import ClockPublic
from .clock_update import ClockUpdate
from .comparison import Comparison
from .complaint_create import ComplaintCreate
from .complaint_public import ComplaintPublic
from .complaint_public_steps_item import ComplaintPublicStepsItem
from .complaint_receipt import ComplaintReceipt
from .complaint_received_v1 import ComplaintReceivedV1
from .complaint_received_v1_delivery import ComplaintReceivedV1Delivery
from .complaint_transition import ComplaintTransition
from .complaint_transition_step import ComplaintTransitionStep
from .complaints_list_complaints_status_type_0 import ComplaintsListComplaintsStatusType0
from .connection_public import ConnectionPublic
from .connection_update import ConnectionUpdate
from .contract_document import ContractDocument
from .contract_document_info import ContractDocumentInfo
from .contract_document_webhooks import ContractDocumentWebhooks
from .criterion_change import CriterionChange
from .criterion_item import CriterionItem
from .criterion_point import CriterionPoint
from .criterion_public import CriterionPublic
from .criterion_public_action_templates_item import CriterionPublicActionTemplatesItem
from .criterion_public_indicators_item import CriterionPublicIndicatorsItem
from .criterion_public_mappings_item import CriterionPublicMappingsItem
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
from .decision_checks import DecisionChecks
from .decision_held_v1 import DecisionHeldV1
from .decision_held_v1_delivery import DecisionHeldV1Delivery
from .decision_held_v1_scheme import DecisionHeldV1Scheme
from .decision_opened_v1 import DecisionOpenedV1
from .decision_opened_v1_delivery import DecisionOpenedV1Delivery
from .decision_opened_v1_kind import DecisionOpenedV1Kind
from .decision_opened_v1_scheme import DecisionOpenedV1Scheme
from .decision_public import DecisionPublic
from .decision_take import DecisionTake
from .decision_take_outcome import DecisionTakeOutcome
from .decision_taken_v1 import DecisionTakenV1
from .decision_taken_v1_delivery import DecisionTakenV1Delivery
from .decision_taken_v1_kind import DecisionTakenV1Kind
from .decision_taken_v1_outcome import DecisionTakenV1Outcome
from .decision_taken_v1_scheme import DecisionTakenV1Scheme
from .decisions_list_decisions_scheme_type_0 import DecisionsListDecisionsSchemeType0
from .decisions_list_decisions_status_type_0 import DecisionsListDecisionsStatusType0
from .deleted import Deleted
from .delivery_public import DeliveryPublic
from .delivery_public_log_item import DeliveryPublicLogItem
from .diagnostic_completed_v1 import DiagnosticCompletedV1
from .diagnostic_completed_v1_delivery import DiagnosticCompletedV1Delivery
from .diagnostic_completed_v1_frameworks import DiagnosticCompletedV1Frameworks
from .diagnostic_completed_v1_kind import DiagnosticCompletedV1Kind
from .diagnostic_create import DiagnosticCreate
from .diagnostic_create_kind import DiagnosticCreateKind
from .diagnostic_evidence import DiagnosticEvidence
from .diagnostic_migration import DiagnosticMigration
from .diagnostic_migration_strategy import DiagnosticMigrationStrategy
from .diagnostic_public import DiagnosticPublic
from .diagnostic_public_audit_evaluation_type_0 import DiagnosticPublicAuditEvaluationType0
from .diagnostic_public_facilitator_accounts_item import DiagnosticPublicFacilitatorAccountsItem
from .diagnostic_public_key_figures_type_0 import DiagnosticPublicKeyFiguresType0
from .diagnostic_public_migrations_item import DiagnosticPublicMigrationsItem
from .diagnostic_public_participants_item import DiagnosticPublicParticipantsItem
from .diagnostic_public_progress import DiagnosticPublicProgress
from .diagnostic_public_referential import DiagnosticPublicReferential
from .diagnostic_scores import DiagnosticScores
from .diagnostic_scores_frameworks import DiagnosticScoresFrameworks
from .diagnostic_summary import DiagnosticSummary
from .diagnostic_transition import DiagnosticTransition
from .diagnostic_update import DiagnosticUpdate
from .due_item_public import DueItemPublic
from .email_public import EmailPublic
from .engagement_create import EngagementCreate
from .engagement_create_kind import EngagementCreateKind
from .engagement_public import EngagementPublic
from .evaluated_level import EvaluatedLevel
from .evaluated_maturity_v1 import EvaluatedMaturityV1
from .event_preference import EventPreference
from .evidence import Evidence
from .exits import Exits
from .export_format import ExportFormat
from .feed_page import FeedPage
from .field_change import FieldChange
from .finding_appeal_decided_v1 import FindingAppealDecidedV1
from .finding_appeal_decided_v1_delivery import FindingAppealDecidedV1Delivery
from .finding_appeal_decided_v1_outcome import FindingAppealDecidedV1Outcome
from .finding_appeal_decided_v1_scheme import FindingAppealDecidedV1Scheme
from .finding_appeal_lodged_v1 import FindingAppealLodgedV1
from .finding_appeal_lodged_v1_delivery import FindingAppealLodgedV1Delivery
from .finding_appeal_lodged_v1_finding_type import FindingAppealLodgedV1FindingType
from .finding_appeal_lodged_v1_scheme import FindingAppealLodgedV1Scheme
from .finding_create import FindingCreate
from .finding_create_type import FindingCreateType
from .finding_public import FindingPublic
from .finding_public_evidence_item import FindingPublicEvidenceItem
from .finding_public_response_evidence_item import FindingPublicResponseEvidenceItem
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
from .gap_recommendation import GapRecommendation
from .group_invitation_public import GroupInvitationPublic
from .group_invitation_sent_v1 import GroupInvitationSentV1
from .group_invitation_sent_v1_delivery import GroupInvitationSentV1Delivery
from .group_invitation_sent_v1_scheme import GroupInvitationSentV1Scheme
from .group_member_public import GroupMemberPublic
from .group_score import GroupScore
from .group_score_v1 import GroupScoreV1
from .impartiality_check import ImpartialityCheck
from .impartiality_check_check import ImpartialityCheckCheck
from .import_report import ImportReport
from .import_run_public import ImportRunPublic
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
from .labelling_appeal_create import LabellingAppealCreate
from .labelling_appeal_decision import LabellingAppealDecision
from .labelling_appeal_decision_outcome import LabellingAppealDecisionOutcome
from .labelling_appeal_public import LabellingAppealPublic
from .labelling_decision_public import LabellingDecisionPublic
from .labelling_decision_public_evaluation_type_0 import LabellingDecisionPublicEvaluationType0
from .labelling_decision_public_hold_type_0 import LabellingDecisionPublicHoldType0
from .labelling_decision_public_steps_item import LabellingDecisionPublicStepsItem
from .labelling_engagement_create import LabellingEngagementCreate
from .labelling_engagement_create_kind import LabellingEngagementCreateKind
from .labelling_engagement_public import LabellingEngagementPublic
from .latest_diagnostic import LatestDiagnostic
from .latest_diagnostic_progress import LatestDiagnosticProgress
from .latest_diagnostic_referential import LatestDiagnosticReferential
from .level_raise import LevelRaise
from .level_rule_public import LevelRulePublic
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
from .maturity_level import MaturityLevel
from .me import Me
from .me_kind import MeKind
from .me_organisations_item import MeOrganisationsItem
from .membership_create import MembershipCreate
from .membership_create_role import MembershipCreateRole
from .membership_public import MembershipPublic
from .network_cell import NetworkCell
from .network_scope import NetworkScope
from .network_statistics import NetworkStatistics
from .network_totals import NetworkTotals
from .notification_public import NotificationPublic
from .notifications_delivery_public import NotificationsDeliveryPublic
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
from .page_application_public import PageApplicationPublic
from .page_auditor_public import PageAuditorPublic
from .page_body_public import PageBodyPublic
from .page_complaint_public import PageComplaintPublic
from .page_decision_public import PageDecisionPublic
from .page_delivery_public import PageDeliveryPublic
from .page_email_public import PageEmailPublic
from .page_engagement_public import PageEngagementPublic
from .page_group_invitation_public import PageGroupInvitationPublic
from .page_import_run_public import PageImportRunPublic
from .page_invitation_public import PageInvitationPublic
from .page_job_public import PageJobPublic
from .page_level_rule_public import PageLevelRulePublic
from .page_organisation_public import PageOrganisationPublic
from .page_programme_public import PageProgrammePublic
from .page_referential_summary import PageReferentialSummary
from .page_resource_public import PageResourcePublic
from .page_scheme_parameters_public import PageSchemeParametersPublic
from .page_secret_public import PageSecretPublic
from .page_signing_key_public import PageSigningKeyPublic
from .page_subscription_public import PageSubscriptionPublic
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
from .plan_public import PlanPublic
from .plan_public_counts import PlanPublicCounts
from .preferences_public import PreferencesPublic
from .preferences_public_events import PreferencesPublicEvents
from .preferences_update import PreferencesUpdate
from .preferences_update_events import PreferencesUpdateEvents
from .problem import Problem
from .problem_errors_item import ProblemErrorsItem
from .problem_type_public import ProblemTypePublic
from .problem_types import ProblemTypes
from .programme_public import ProgrammePublic
from .public_change import PublicChange
from .public_jwk import PublicJwk
from .public_structure import PublicStructure
from .qualification import Qualification
from .qualification_scheme import QualificationScheme
from .quarter import Quarter
from .quiet_hours_period import QuietHoursPeriod
from .readiness import Readiness
from .readiness_checks import ReadinessChecks
from .recognition_public import RecognitionPublic
from .recognition_status_changed_v1 import RecognitionStatusChangedV1
from .recognition_status_changed_v1_delivery import RecognitionStatusChangedV1Delivery
from .recognition_status_changed_v1_previous_status_type_0 import RecognitionStatusChangedV1PreviousStatusType0
from .recognition_status_changed_v1_scheme import RecognitionStatusChangedV1Scheme
from .recognition_status_changed_v1_status import RecognitionStatusChangedV1Status
from .recognition_transition import RecognitionTransition
from .recognition_transition_step import RecognitionTransitionStep
from .recognitions_list_recognitions_scheme_type_0 import RecognitionsListRecognitionsSchemeType0
from .recognitions_list_recognitions_status_type_0 import RecognitionsListRecognitionsStatusType0
from .recommendations import Recommendations
from .recommended_resource import RecommendedResource
from .referential_detail import ReferentialDetail
from .referential_detail_bands_item import ReferentialDetailBandsItem
from .referential_detail_changes_type_0 import ReferentialDetailChangesType0
from .referential_detail_extends_item import ReferentialDetailExtendsItem
from .referential_detail_frameworks_item import ReferentialDetailFrameworksItem
from .referential_differences import ReferentialDifferences
from .referential_differences_bands_after_item import ReferentialDifferencesBandsAfterItem
from .referential_differences_bands_before_item import ReferentialDifferencesBandsBeforeItem
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
from .resource_create import ResourceCreate
from .resource_create_kind import ResourceCreateKind
from .resource_public import ResourcePublic
from .resource_update import ResourceUpdate
from .resource_update_kind import ResourceUpdateKind
from .resources_search_resources_kind_type_0 import ResourcesSearchResourcesKindType0
from .response_create import ResponseCreate
from .response_review import ResponseReview
from .response_review_decision import ResponseReviewDecision
from .review_create import ReviewCreate
from .review_public import ReviewPublic
from .row_error import RowError
from .row_outcome import RowOutcome
from .row_outcome_outcome import RowOutcomeOutcome
from .sample_size_public import SampleSizePublic
from .sampling import Sampling
from .sampling_public import SamplingPublic
from .scale_level import ScaleLevel
from .scheme_parameters import SchemeParameters
from .scheme_parameters_public import SchemeParametersPublic
from .scheme_parameters_public_source import SchemeParametersPublicSource
from .scheme_parameters_scheme import SchemeParametersScheme
from .scheme_parameters_surveillance import SchemeParametersSurveillance
from .scope import Scope
from .scope_reduction import ScopeReduction
from .secret_created import SecretCreated
from .secret_public import SecretPublic
from .signing_key_public import SigningKeyPublic
from .stage_2_required_v1 import Stage2RequiredV1
from .stage_2_required_v1_delivery import Stage2RequiredV1Delivery
from .stage_2_required_v1_scheme import Stage2RequiredV1Scheme
from .statistics_network_statistics_siae_type_type_0 import StatisticsNetworkStatisticsSiaeTypeType0
from .subscription_create import SubscriptionCreate
from .subscription_public import SubscriptionPublic
from .subscription_update import SubscriptionUpdate
from .subscription_update_status_type_0 import SubscriptionUpdateStatusType0
from .subscription_with_secret import SubscriptionWithSecret
from .suggestion import Suggestion
from .suggestion_evidence_item import SuggestionEvidenceItem
from .suppressed import Suppressed
from .suppressed_cell import SuppressedCell
from .suppressed_maturity import SuppressedMaturity
from .suppressed_peer_group import SuppressedPeerGroup
from .suppressed_quarter import SuppressedQuarter
from .sync_page_answer_public import SyncPageAnswerPublic
from .sync_page_audit_public import SyncPageAuditPublic
from .sync_page_diagnostic_public import SyncPageDiagnosticPublic
from .sync_page_finding_public import SyncPageFindingPublic
from .sync_page_plan_public import SyncPagePlanPublic
from .sync_page_recognition_public import SyncPageRecognitionPublic
from .team_member import TeamMember
from .team_member_public import TeamMemberPublic
from .team_member_role import TeamMemberRole
from .theme_item import ThemeItem
from .theme_public import ThemePublic
from .token_response import TokenResponse
from .transition_action import TransitionAction
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
    "ActionOverdueV1",
    "ActionOverdueV1Delivery",
    "ActionOverdueV1Priority",
    "ActionPublic",
    "ActionTransition",
    "ActionTransitionStep",
    "ActionUpdate",
    "ActionUpdatePriority",
    "AnswerPublic",
    "AnswerPublicEvidenceItem",
    "AnswersSaved",
    "AnswersUpdate",
    "AnswerUpdate",
    "ApiClientCreate",
    "ApiClientCreated",
    "ApiClientPublic",
    "AppealCreate",
    "AppealDecision",
    "AppealDecisionOutcome",
    "AppealPublic",
    "ApplicationAcceptedV1",
    "ApplicationAcceptedV1Delivery",
    "ApplicationAcceptedV1Scheme",
    "ApplicationCreate",
    "ApplicationCreateScheme",
    "ApplicationPublic",
    "ApplicationPublicEligibility",
    "ApplicationsListApplicationsSchemeType0",
    "ApplicationsListApplicationsStatusType0",
    "ApplicationsListGroupInvitationsStatusType0",
    "ApplicationTransition",
    "ApplicationTransitionStep",
    "AttemptPublic",
    "AuditAnchorPublic",
    "AuditCheckpointPublic",
    "AuditEntryList",
    "AuditEntryPublic",
    "AuditMaturity",
    "AuditorCreate",
    "AuditorEngagementPage",
    "AuditorPublic",
    "AuditorPublicQualificationsItem",
    "AuditorUpdate",
    "AuditPlannedV1",
    "AuditPlannedV1Delivery",
    "AuditPlannedV1Scheme",
    "AuditPlanUpdate",
    "AuditProblemPublic",
    "AuditProblemPublicKind",
    "AuditPublic",
    "AuditPublicFindings",
    "AuditPublicOrganisationNames",
    "AuditPublicReportDocumentType0",
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
    "AuditTransition",
    "AuditTransitionStep",
    "AuditVerificationPublic",
    "AuthorizationServerMetadata",
    "AuthRevokeTokenResponseAuthRevokeToken",
    "BandGap",
    "BodyAuditsAttachReport",
    "BodyAuthAuthorizeSignIn",
    "BodyAuthIssueToken",
    "BodyAuthRevokeToken",
    "BodyCreate",
    "BodyCreateSchemesItem",
    "BodyDeliveryPage",
    "BodyPublic",
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
    "ChangePublic",
    "ChannelModes",
    "ChannelModesEmail",
    "ChannelModesInApp",
    "ClockPublic",
    "ClockUpdate",
    "Comparison",
    "ComplaintCreate",
    "ComplaintPublic",
    "ComplaintPublicStepsItem",
    "ComplaintReceipt",
    "ComplaintReceivedV1",
    "ComplaintReceivedV1Delivery",
    "ComplaintsListComplaintsStatusType0",
    "ComplaintTransition",
    "ComplaintTransitionStep",
    "ConnectionPublic",
    "ConnectionUpdate",
    "ContractDocument",
    "ContractDocumentInfo",
    "ContractDocumentWebhooks",
    "CriterionChange",
    "CriterionItem",
    "CriterionPoint",
    "CriterionPublic",
    "CriterionPublicActionTemplatesItem",
    "CriterionPublicIndicatorsItem",
    "CriterionPublicMappingsItem",
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
    "DecisionChecks",
    "DecisionHeldV1",
    "DecisionHeldV1Delivery",
    "DecisionHeldV1Scheme",
    "DecisionOpenedV1",
    "DecisionOpenedV1Delivery",
    "DecisionOpenedV1Kind",
    "DecisionOpenedV1Scheme",
    "DecisionPublic",
    "DecisionsListDecisionsSchemeType0",
    "DecisionsListDecisionsStatusType0",
    "DecisionTake",
    "DecisionTakenV1",
    "DecisionTakenV1Delivery",
    "DecisionTakenV1Kind",
    "DecisionTakenV1Outcome",
    "DecisionTakenV1Scheme",
    "DecisionTakeOutcome",
    "Deleted",
    "DeliveryPublic",
    "DeliveryPublicLogItem",
    "DiagnosticCompletedV1",
    "DiagnosticCompletedV1Delivery",
    "DiagnosticCompletedV1Frameworks",
    "DiagnosticCompletedV1Kind",
    "DiagnosticCreate",
    "DiagnosticCreateKind",
    "DiagnosticEvidence",
    "DiagnosticMigration",
    "DiagnosticMigrationStrategy",
    "DiagnosticPublic",
    "DiagnosticPublicAuditEvaluationType0",
    "DiagnosticPublicFacilitatorAccountsItem",
    "DiagnosticPublicKeyFiguresType0",
    "DiagnosticPublicMigrationsItem",
    "DiagnosticPublicParticipantsItem",
    "DiagnosticPublicProgress",
    "DiagnosticPublicReferential",
    "DiagnosticScores",
    "DiagnosticScoresFrameworks",
    "DiagnosticSummary",
    "DiagnosticTransition",
    "DiagnosticUpdate",
    "DueItemPublic",
    "EmailPublic",
    "EngagementCreate",
    "EngagementCreateKind",
    "EngagementPublic",
    "EvaluatedLevel",
    "EvaluatedMaturityV1",
    "EventPreference",
    "Evidence",
    "Exits",
    "ExportFormat",
    "FeedPage",
    "FieldChange",
    "FindingAppealDecidedV1",
    "FindingAppealDecidedV1Delivery",
    "FindingAppealDecidedV1Outcome",
    "FindingAppealDecidedV1Scheme",
    "FindingAppealLodgedV1",
    "FindingAppealLodgedV1Delivery",
    "FindingAppealLodgedV1FindingType",
    "FindingAppealLodgedV1Scheme",
    "FindingCreate",
    "FindingCreateType",
    "FindingPublic",
    "FindingPublicEvidenceItem",
    "FindingPublicResponseEvidenceItem",
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
    "GapRecommendation",
    "GroupInvitationPublic",
    "GroupInvitationSentV1",
    "GroupInvitationSentV1Delivery",
    "GroupInvitationSentV1Scheme",
    "GroupMemberPublic",
    "GroupScore",
    "GroupScoreV1",
    "ImpartialityCheck",
    "ImpartialityCheckCheck",
    "ImportReport",
    "ImportRunPublic",
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
    "LabellingAppealCreate",
    "LabellingAppealDecision",
    "LabellingAppealDecisionOutcome",
    "LabellingAppealPublic",
    "LabellingDecisionPublic",
    "LabellingDecisionPublicEvaluationType0",
    "LabellingDecisionPublicHoldType0",
    "LabellingDecisionPublicStepsItem",
    "LabellingEngagementCreate",
    "LabellingEngagementCreateKind",
    "LabellingEngagementPublic",
    "LabelSurveillanceDueV1",
    "LabelSurveillanceDueV1Delivery",
    "LabelSurveillanceDueV1Scheme",
    "LabelSurveillanceDueV1Stage",
    "LatestDiagnostic",
    "LatestDiagnosticProgress",
    "LatestDiagnosticReferential",
    "LevelRaise",
    "LevelRulePublic",
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
    "MaturityLevel",
    "Me",
    "MeKind",
    "MembershipCreate",
    "MembershipCreateRole",
    "MembershipPublic",
    "MeOrganisationsItem",
    "NetworkCell",
    "NetworkScope",
    "NetworkStatistics",
    "NetworkTotals",
    "NotificationPublic",
    "NotificationsDeliveryPublic",
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
    "PageApplicationPublic",
    "PageAuditorPublic",
    "PageBodyPublic",
    "PageComplaintPublic",
    "PageDecisionPublic",
    "PageDeliveryPublic",
    "PageEmailPublic",
    "PageEngagementPublic",
    "PageGroupInvitationPublic",
    "PageImportRunPublic",
    "PageInvitationPublic",
    "PageJobPublic",
    "PageLevelRulePublic",
    "PageOrganisationPublic",
    "PageProgrammePublic",
    "PageReferentialSummary",
    "PageResourcePublic",
    "PageSchemeParametersPublic",
    "PageSecretPublic",
    "PageSigningKeyPublic",
    "PageSubscriptionPublic",
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
    "PlanPublic",
    "PlanPublicCounts",
    "PreferencesPublic",
    "PreferencesPublicEvents",
    "PreferencesUpdate",
    "PreferencesUpdateEvents",
    "Problem",
    "ProblemErrorsItem",
    "ProblemTypePublic",
    "ProblemTypes",
    "ProgrammePublic",
    "PublicChange",
    "PublicJwk",
    "PublicStructure",
    "Qualification",
    "QualificationScheme",
    "Quarter",
    "QuietHoursPeriod",
    "Readiness",
    "ReadinessChecks",
    "RecognitionPublic",
    "RecognitionsListRecognitionsSchemeType0",
    "RecognitionsListRecognitionsStatusType0",
    "RecognitionStatusChangedV1",
    "RecognitionStatusChangedV1Delivery",
    "RecognitionStatusChangedV1PreviousStatusType0",
    "RecognitionStatusChangedV1Scheme",
    "RecognitionStatusChangedV1Status",
    "RecognitionTransition",
    "RecognitionTransitionStep",
    "Recommendations",
    "RecommendedResource",
    "ReferentialDetail",
    "ReferentialDetailBandsItem",
    "ReferentialDetailChangesType0",
    "ReferentialDetailExtendsItem",
    "ReferentialDetailFrameworksItem",
    "ReferentialDifferences",
    "ReferentialDifferencesBandsAfterItem",
    "ReferentialDifferencesBandsBeforeItem",
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
    "ResourceCreate",
    "ResourceCreateKind",
    "ResourcePublic",
    "ResourcesSearchResourcesKindType0",
    "ResourceUpdate",
    "ResourceUpdateKind",
    "ResponseCreate",
    "ResponseReview",
    "ResponseReviewDecision",
    "ReviewCreate",
    "ReviewPublic",
    "RowError",
    "RowOutcome",
    "RowOutcomeOutcome",
    "SampleSizePublic",
    "Sampling",
    "SamplingPublic",
    "ScaleLevel",
    "SchemeParameters",
    "SchemeParametersPublic",
    "SchemeParametersPublicSource",
    "SchemeParametersScheme",
    "SchemeParametersSurveillance",
    "Scope",
    "ScopeReduction",
    "SecretCreated",
    "SecretPublic",
    "SigningKeyPublic",
    "Stage2RequiredV1",
    "Stage2RequiredV1Delivery",
    "Stage2RequiredV1Scheme",
    "StatisticsNetworkStatisticsSiaeTypeType0",
    "SubscriptionCreate",
    "SubscriptionPublic",
    "SubscriptionUpdate",
    "SubscriptionUpdateStatusType0",
    "SubscriptionWithSecret",
    "Suggestion",
    "SuggestionEvidenceItem",
    "Suppressed",
    "SuppressedCell",
    "SuppressedMaturity",
    "SuppressedPeerGroup",
    "SuppressedQuarter",
    "SyncPageAnswerPublic",
    "SyncPageAuditPublic",
    "SyncPageDiagnosticPublic",
    "SyncPageFindingPublic",
    "SyncPagePlanPublic",
    "SyncPageRecognitionPublic",
    "TeamMember",
    "TeamMemberPublic",
    "TeamMemberRole",
    "ThemeItem",
    "ThemePublic",
    "TokenResponse",
    "TransitionAction",
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
