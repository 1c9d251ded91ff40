"""One real flow through the generated Python client (clients/python, made
by scripts/gen-clients.sh from docs/openapi.json): upload a video, wait for
its job, list its insights, fetch its transcript as WebVTT. Run by
crates/aima/tests/api/contract.rs with the server's URL, an API key and the
file; prints what it saw as JSON for the test to check."""
import json
import os
import sys
import time

from aima_client import AuthenticatedClient
from aima_client.api.jobs import get_job
from aima_client.api.media import get_transcript, list_insights, upload_media
from aima_client.models import ErrorBody, JobState, UploadResponse
from aima_client.types import File

url, key, path = sys.argv[1:4]
client = AuthenticatedClient(base_url=url, token=key, timeout=120.0)

with open(path, "rb") as f:
    uploaded = upload_media.sync(
        client=client,
        body=File(payload=f, file_name=os.path.basename(path)),
        pipeline="probe,transcribe",
        filename=os.path.basename(path),
    )
assert isinstance(uploaded, UploadResponse), uploaded

deadline = time.monotonic() + 300
while True:
    job = get_job.sync(uploaded.job_id, client=client)
    if job.state in (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED):
        break
    assert time.monotonic() < deadline, f"job still {job.state}"
    time.sleep(0.2)

insights = list_insights.sync(uploaded.id, client=client)
assert not isinstance(insights, ErrorBody), insights
vtt = get_transcript.sync_detailed(uploaded.id, client=client, format_="vtt")

# The same listing filtered by analyzer.
again = list_insights.sync(uploaded.id, client=client, analyzer="transcribe")

print(json.dumps({
    "media": uploaded.id,
    "created": uploaded.created,
    "state": job.state.value,
    "analyzers": sorted({i.analyzer for i in insights.items}),
    "transcribe_insights": len(again.items),
    "vtt_status": int(vtt.status_code),
    "vtt_type": vtt.headers.get("content-type", ""),
    "vtt": vtt.content.decode("utf-8"),
}))
