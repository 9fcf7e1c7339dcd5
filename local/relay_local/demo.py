"""The whole pipeline on this machine: moto's server, the ICEYE simulator, and the real handlers on a fast clock."""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import io
import json
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3

from iceye_simulator import DerivativePlan, SimClock, Simulator, TaskPlan
from relay.domain.notifications import Notification, email_text
from relay_local.aws import (
    LocalStack,
    email_filter_policy,
    function_environment,
    provision,
    start_moto,
    template_parameters,
)
from relay_local.webhook import WebhookReceiver

ROOT = Path(__file__).resolve().parents[2]
STACK = "relay-local"


@dataclass(frozen=True)
class DemoOptions:
    """What `python -m relay_local` was asked to do."""

    tasks: int = 4
    speed: float = 1.0
    file_size: int = 200_000
    faults: bool = False
    quiet: bool = False
    timeout_seconds: float = 100.0


@dataclass(frozen=True)
class Scenario:
    """One sample task: its timeline in the simulator and what must become of it."""

    name: str
    plan: TaskPlan
    expect_complete: bool
    hold_jobs_seconds: float = 0.0  # keep its copy jobs back so their URLs expire first


@dataclass
class DemoReport:
    """Everything the run ended with, and what did not end where it should."""

    task_names: dict[str, str] = field(default_factory=dict)  # task id -> scenario name
    objects: list[dict[str, Any]] = field(default_factory=list)
    notifications_by_subscriber: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    ready_to_stored_seconds: list[tuple[str, float]] = field(default_factory=list)
    dead_letters: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    elapsed_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Every invariant held."""
        return not self.failures


class _Context:
    """The bits of a Lambda context the handlers use."""

    def __init__(self, name: str, deadline: float) -> None:
        self.function_name = name
        self.memory_limit_in_mb = 512
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
        self.aws_request_id = str(uuid.uuid4())
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return int(max(self._deadline - time.monotonic(), 0) * 1000)


def scenarios(options: DemoOptions) -> list[Scenario]:
    """The sample tasks: type by type, straight to 200, never (given up), and a URL that expires before its copy."""
    unit = timedelta(seconds=2 / options.speed)
    size = options.file_size
    base = [
        Scenario(
            "type by type",
            TaskPlan(
                derivatives=[
                    DerivativePlan("DC_VESSELS", unit, size),
                    DerivativePlan("DC_AIRCRAFT", 2 * unit, size),
                    DerivativePlan("DC_VEHICLES", 3 * unit, size),
                ]
            ),
            expect_complete=True,
        ),
        Scenario(
            "straight to 200",
            TaskPlan(
                derivatives=[
                    DerivativePlan("DC_VESSELS", 2 * unit, size),
                    DerivativePlan("DC_AIRCRAFT", 2 * unit, size, files=2),
                ]
            ),
            expect_complete=True,
        ),
        Scenario(
            "never ready (given up)",
            TaskPlan(derivatives=[DerivativePlan("DC_VESSELS", None, size)]),
            expect_complete=False,
        ),
        Scenario(
            "URL expires before copy",
            TaskPlan(derivatives=[DerivativePlan("DC_AIRCRAFT", unit, size)], url_lifetime=unit / 2),
            expect_complete=True,
            hold_jobs_seconds=(unit * 1.5).total_seconds(),
        ),
    ]
    return [base[index % len(base)] for index in range(options.tasks)]


def _load_handler(function_dir: str, module: str) -> ModuleType:
    path = str(ROOT / "functions" / function_dir)
    if path not in sys.path:
        sys.path.insert(0, path)
    return importlib.import_module(module)


@contextlib.contextmanager
def _environment(variables: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(variables)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_demo(options: DemoOptions, out: Callable[[str], None] = print) -> DemoReport:
    """Run the scenario end to end; the report says what was stored, who was told what, and what went wrong."""
    started = time.monotonic()
    report = DemoReport()
    moto = start_moto()
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    clock = SimClock(speed=1.0)
    webhook = WebhookReceiver(verify_signatures=False).start()
    with Simulator(clock=clock) as sim:
        stack = provision(endpoint, STACK, {"clientId": sim.client_id, "clientSecret": sim.client_secret})
        unit = 2 / options.speed
        parameters = template_parameters(
            {
                "IceyeApiBaseUrl": sim.base_url,
                "IceyeTokenUrl": sim.token_url,
                "IceyeCredentialsSecretArn": stack.refs["IceyeCredentialsSecret"],
                "GiveUpAfterHours": str(8 * unit / 3600),
            }
        )
        # Demo-only settings on top of what a deploy sets: the local CA, quiet logs, and time compressed.
        demo_overrides = {
            "ICEYE_CA_BUNDLE": sim.ca_bundle or "",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POLL_INTERVAL_SECONDS": "0",
            "URL_SAFETY_MARGIN_SECONDS": str(unit / 8),
            "DEADLINE_MARGIN_SECONDS": "1",
        }
        environments = {
            name: {**function_environment(name, stack, parameters), **demo_overrides}
            for name in ("PollFunction", "FanoutFunction", "RegisterFunction")
        }
        subscribers = _subscribe(stack, webhook)
        with _environment(environments["RegisterFunction"]):
            register = _load_handler("register", "register_app")
            poll = _load_handler("poll", "poll_app")
            fanout = _load_handler("fanout", "fanout_app")
        plan = scenarios(options)
        held: dict[str, float] = {}
        for scenario in plan:
            task_id = sim.add_task(scenario.plan)
            report.task_names[task_id] = scenario.name
            if scenario.hold_jobs_seconds:
                held[task_id] = scenario.hold_jobs_seconds
            with _environment(environments["RegisterFunction"]):
                answer = register.handler(
                    {"taskId": task_id, "label": scenario.name}, _Context("register", time.monotonic() + 30)
                )
            if not answer.get("ok"):
                report.failures.append(f"registration of {scenario.name!r} failed: {answer}")
        if options.faults:
            _arm_faults(sim, unit)
        schedule_input = json.loads((ROOT / "events" / "poll_schedule.json").read_text())
        table = boto3.client("dynamodb")
        last_view = ""
        deadline = started + options.timeout_seconds
        tick = 0
        while time.monotonic() < deadline:
            tick += 1
            if options.faults and tick == 6:
                sim.faults.expire_tokens()
            with _environment(environments["PollFunction"]), contextlib.redirect_stdout(io.StringIO()):
                poll.handler(schedule_input, _Context("poll", time.monotonic() + 60))
            _run_fanout(fanout, stack, environments["FanoutFunction"], held, sim)
            view = _progress(table, stack, report.task_names)
            if view != last_view and not options.quiet:
                out(f"\n[{time.monotonic() - started:5.1f}s]\n{view}")
                last_view = view
            if _all_finished(table, stack, report.task_names) and _queue_empty(stack.refs["CopyQueue"]):
                break
            time.sleep(unit / 4)
        time.sleep(0.2)  # let the last SNS deliveries land
        _collect(report, sim, stack, subscribers, webhook, plan)
    webhook.stop()
    moto.stop()
    report.elapsed_seconds = time.monotonic() - started
    return report


def _arm_faults(sim: Simulator, unit: float) -> None:
    """A 429, a 500, a connection reset mid-download and a truncated body: all must be recovered from."""
    sim.faults.throttle(retry_after=max(int(unit), 1))
    sim.faults.server_error(status=500)
    sim.faults.reset_download(after_bytes=1000)
    sim.faults.truncate_download(after_bytes=2000)


def _subscribe(stack: LocalStack, webhook: WebhookReceiver) -> dict[str, str]:
    """A webhook, an SQS queue (every event) and an 'email' view queue filtered as the template's email is."""
    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    topic = stack.refs["NotificationsTopic"]
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=webhook.url)
    urls = {}
    for name, policy in (("queue", None), ("email", email_filter_policy())):
        url = sqs.create_queue(QueueName=f"{STACK}-subscriber-{name}")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        attributes = {"FilterPolicy": json.dumps(policy), "FilterPolicyScope": "MessageAttributes"} if policy else {}
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes=attributes)
        urls[name] = url
    return urls


def _run_fanout(
    fanout: ModuleType, stack: LocalStack, environment: dict[str, str], held: dict[str, float], sim: Simulator
) -> None:
    """Deliver the copy queue's messages to the fan-out as Lambda's SQS poller would (batches, partial failures)."""
    sqs = boto3.client("sqs")
    queue_url = stack.refs["CopyQueue"]
    messages = sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=5, VisibilityTimeout=1, AttributeNames=["All"]
    ).get("Messages", [])
    ready = []
    for message in messages:
        body = json.loads(message["Body"])
        enqueued = datetime.fromisoformat(body["enqueuedAt"])
        hold = held.get(body["taskId"], 0.0)
        if hold and (datetime.now(UTC) - enqueued).total_seconds() < hold:
            continue  # stays invisible for a second, then comes back
        ready.append(message)
    if not ready:
        return
    event = {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": message["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": stack.attributes[("CopyQueue", "Arn")],
                "awsRegion": "us-east-1",
            }
            for message in ready
        ]
    }
    with _environment(environment), contextlib.redirect_stdout(io.StringIO()):
        try:
            response = fanout.handler(event, _Context("fanout", time.monotonic() + 300))
        except Exception:  # as in Lambda: a failed invocation returns the whole batch to the queue
            response = {"batchItemFailures": [{"itemIdentifier": m["MessageId"]} for m in ready]}
    failed = {item["itemIdentifier"] for item in response.get("batchItemFailures", [])}
    done = [m for m in ready if m["MessageId"] not in failed]
    if done:
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
        )


def _items(table: Any, stack: LocalStack) -> list[dict[str, Any]]:
    from boto3.dynamodb.types import TypeDeserializer

    deserializer = TypeDeserializer()
    items = []
    for page in table.get_paginator("scan").paginate(TableName=stack.refs["TasksTable"]):  # the demo's view only
        items += [{k: deserializer.deserialize(v) for k, v in item.items()} for item in page["Items"]]
    return items


def _progress(table: Any, stack: LocalStack, names: dict[str, str]) -> str:
    """A table per task and type: ICEYE's result, each type's state, bytes copied."""
    items = _items(table, stack)
    tasks = {item["task_id"]: item for item in items if item["sk"] == "TASK"}
    lines = [f"{'task':26} {'result':8} {'watch':10} {'type':12} {'state':10} {'bytes':>10}"]
    for task_id, name in names.items():
        task = tasks.get(task_id, {})
        result = {"NOT_AVAILABLE": "404", "PARTIAL": "206", "COMPLETE": "200"}.get(task.get("result", ""), "-")
        types = sorted((i for i in items if i["pk"] == f"TASK#{task_id}" and i["sk"] != "TASK"), key=lambda i: i["sk"])
        for index, record in enumerate(types):
            copied = sum(int(f.get("stored", {}).get("size_bytes", 0)) for f in record.get("files", {}).values())
            head = (f"{name[:26]:26} {result:8} {task.get('watch', '-'):10}") if index == 0 else " " * 46
            lines.append(f"{head} {record['product_type']:12} {record['state']:10} {copied:>10,}")
    return "\n".join(lines)


def _all_finished(table: Any, stack: LocalStack, names: dict[str, str]) -> bool:
    tasks = {item["task_id"]: item for item in _items(table, stack) if item["sk"] == "TASK"}
    return all(tasks.get(task_id, {}).get("watch", "WATCHING") != "WATCHING" for task_id in names)


def _queue_empty(queue_url: str) -> bool:
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return all(value == "0" for value in attributes.values())


def _drain_notifications(queue_url: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    received: list[dict[str, Any]] = []
    while batch := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
        received += [json.loads(message["Body"]) for message in batch]
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)],
        )
    return received


def _collect(
    report: DemoReport,
    sim: Simulator,
    stack: LocalStack,
    subscribers: dict[str, str],
    webhook: WebhookReceiver,
    plan: list[Scenario],
) -> None:
    """Gather what the run produced and check every invariant."""
    s3 = boto3.client("s3")
    bucket = stack.refs["DerivativesBucket"]
    queue_envelopes = _drain_notifications(subscribers["queue"])
    email_envelopes = _drain_notifications(subscribers["email"])
    report.notifications_by_subscriber = {
        "webhook": [delivery.payload for delivery in webhook.deliveries],
        "queue": [json.loads(envelope["Message"]) for envelope in queue_envelopes],
        # An SQS subscriber gets the JSON key; the email key holds this same payload rendered as text.
        "email": [
            {"subject": e.get("Subject"), "text": email_text(Notification.model_validate_json(e["Message"]))}
            for e in email_envelopes
        ],
    }
    items = _items(boto3.client("dynamodb"), stack)
    for (task_id, name), scenario in zip(report.task_names.items(), plan, strict=True):
        task = next((i for i in items if i["sk"] == "TASK" and i["task_id"] == task_id), {})
        completes = [
            n
            for n in report.notifications_by_subscriber["queue"]
            if n["taskId"] == task_id and n["eventType"] == "DERIVATIVES_COMPLETE"
        ]
        hooks = [
            n
            for n in report.notifications_by_subscriber["webhook"]
            if n["taskId"] == task_id and n["eventType"] == "DERIVATIVES_COMPLETE"
        ]
        if scenario.expect_complete:
            if task.get("watch") != "COMPLETE":
                report.failures.append(f"{name!r} ended {task.get('watch', 'unregistered')}, not COMPLETE")
            if len(completes) != 1 or len(hooks) != 1:
                report.failures.append(
                    f"{name!r}: {len(completes)} completions on the queue, {len(hooks)} at the webhook (want 1)"
                )
            for simulated in sim.files(task_id):
                key = f"derivatives/{task_id}/{simulated.product_type}/{simulated.derivative_id}/{simulated.file_name}"
                try:
                    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
                except s3.exceptions.NoSuchKey:
                    report.failures.append(f"{name!r}: {key} is not in S3")
                    continue
                digest = hashlib.sha256(body).hexdigest()
                report.objects.append({"key": key, "bytes": len(body), "sha256": digest})
                if digest != simulated.sha256:
                    report.failures.append(f"{name!r}: {key} does not match the simulator's checksum")
            for record in (i for i in items if i["pk"] == f"TASK#{task_id}" and i["sk"] != "TASK"):
                seen = datetime.fromisoformat(record["first_seen_ready_at"])
                for file in record.get("files", {}).values():
                    stored = datetime.fromisoformat(file["stored"]["copied_at"]) if "stored" in file else None
                    if stored:
                        report.ready_to_stored_seconds.append(
                            (f"{name}/{file['file_name']}", (stored - seen).total_seconds())
                        )
        else:
            gave_up = [
                n
                for n in report.notifications_by_subscriber["queue"]
                if n["taskId"] == task_id and n["eventType"] == "TASK_GAVE_UP"
            ]
            if task.get("watch") != "GAVE_UP" or len(gave_up) != 1:
                report.failures.append(
                    f"{name!r}: watch {task.get('watch')}, {len(gave_up)} TASK_GAVE_UP (want GAVE_UP, 1)"
                )
    sqs = boto3.client("sqs")
    for logical_id in ("CopyDeadLetterQueue", "ScheduleDeadLetterQueue"):
        count = int(
            sqs.get_queue_attributes(QueueUrl=stack.refs[logical_id], AttributeNames=["ApproximateNumberOfMessages"])[
                "Attributes"
            ]["ApproximateNumberOfMessages"]
        )
        report.dead_letters[logical_id] = count
        if count:
            report.failures.append(f"{count} message(s) in {logical_id}")
    if webhook.rejected:
        report.failures.append(f"the webhook rejected: {webhook.rejected}")


def render_summary(report: DemoReport) -> str:
    """The closing summary a person reads."""
    lines = ["", "Objects in S3:"]
    lines += [f"  {o['bytes']:>10,} B  sha256 {o['sha256'][:16]}…  s3://…/{o['key']}" for o in report.objects]
    for subscriber, received in report.notifications_by_subscriber.items():
        lines.append(f"\nNotifications received by the {subscriber} subscriber: {len(received)}")
        for n in received:
            if subscriber == "email":
                lines.append(f"  subject: {n['subject']}")
            else:
                lines.append(f"  {n['eventType']:22} {n['taskId']}  {n.get('reason') or ''}")
    if report.notifications_by_subscriber.get("email"):
        lines += [
            "\nWhat an email subscriber reads (first message):",
            *("  " + line for line in report.notifications_by_subscriber["email"][0]["text"].splitlines()),
        ]
    lines.append("\nReady -> in S3, per file:")
    lines += [f"  {seconds:6.2f} s  {name}" for name, seconds in report.ready_to_stored_seconds]
    lines.append(f"\nDead-letter queues: {report.dead_letters}")
    lines.append(f"Finished in {report.elapsed_seconds:.1f} s.")
    lines.append("Every invariant held." if report.ok else "FAILED:\n  " + "\n  ".join(report.failures))
    return "\n".join(lines)
