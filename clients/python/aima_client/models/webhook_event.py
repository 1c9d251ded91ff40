from enum import StrEnum

class WebhookEvent(StrEnum):
    BUDGET_EXHAUSTED = "budget.exhausted"
    BUDGET_WARNING = "budget.warning"
    JOB_FAILED = "job.failed"
    JOB_PARTIAL = "job.partial"
    JOB_SUCCEEDED = "job.succeeded"
    MEDIA_DELETED = "media.deleted"
    MODE_MODEL_TRAINED = "mode_model.trained"
    PERSON_NAMED = "person.named"
    PROVISION_FAILED = "provision.failed"
    WORKER_STARTED = "worker.started"
    WORKER_STOPPED = "worker.stopped"

    def __str__(self) -> str:
        return str(self.value)
