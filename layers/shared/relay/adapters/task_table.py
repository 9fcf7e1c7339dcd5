"""The task table (DynamoDB): the only module that knows its items and attribute names.

Items, all under `pk = TASK#{taskId}`:
- `sk = TASK`: the watched task — `watch`, `result`, `history`, `counters`, `notifications` (by event id),
  `nextPollAt` (epoch s) and `dueShard = "WATCHING"` only while watched (the sparse `DueForPoll` index finds what
  is due without a scan), `expiresAt` (TTL, epoch s) once finished.
- `sk = TYPE#{productType}`: one requested derivative type — `state`, derivative id, image reference, and a
  `files` map by file name (`state`, `enqueuedAt`, `attempts`, `leaseUntil` (epoch s), `stored`).
`pk = CONTRACT#{id}, sk = CHECKPOINT` keeps contract discovery's high-water mark.

Every change is a conditional write, so a state never moves backwards and two writers never both win.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from relay.domain.ports import FileClaim
from relay.domain.records import (
    DerivativeTypeRecord,
    FileRecord,
    FileState,
    NotificationClaim,
    NotificationState,
    ResultTransition,
    StoredObject,
    TaskRecord,
    TaskView,
    TypeState,
    WatchStatus,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

DUE_INDEX = "DueForPoll"
WATCHING_SHARD = "WATCHING"
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def _task_key(task_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"TASK#{task_id}"}, "sk": {"S": "TASK"}}


def _type_key(task_id: str, product_type: str) -> dict[str, Any]:
    return {"pk": {"S": f"TASK#{task_id}"}, "sk": {"S": f"TYPE#{product_type}"}}


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def _plain(value: Any) -> Any:
    """Python values as DynamoDB takes them: floats as Decimal, None dropped from maps."""
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _values(values: dict[str, Any]) -> dict[str, Any]:
    return {key: _serializer.serialize(_plain(value)) for key, value in values.items()}


def _item(attributes: dict[str, Any]) -> dict[str, Any]:
    """An item without its None attributes: absent, not NULL, so attribute_not_exists conditions hold."""
    return _values({key: value for key, value in attributes.items() if value is not None})


def _from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _deserializer.deserialize(value) for key, value in item.items()}


def _file_to_map(record: FileRecord) -> dict[str, Any]:
    data = record.model_dump(mode="json", exclude={"lease_until"})
    if record.lease_until is not None:
        data["lease_until"] = _epoch(record.lease_until)
    return data


def _file_from_map(data: dict[str, Any]) -> FileRecord:
    lease = data.get("lease_until")
    fields = {**data, "lease_until": datetime.fromtimestamp(int(lease), UTC) if lease is not None else None}
    return FileRecord.model_validate(fields)


def _task_from(item: dict[str, Any]) -> TaskRecord:
    next_poll = item.get("nextPollAt")
    expires = item.get("expiresAt")
    return TaskRecord.model_validate(
        {
            **item,
            "next_poll_at": datetime.fromtimestamp(int(next_poll), UTC) if next_poll is not None else None,
            "retain_until": datetime.fromtimestamp(int(expires), UTC) if expires is not None else None,
        }
    )


def _type_from(item: dict[str, Any]) -> DerivativeTypeRecord:
    files = {name: _file_from_map(data) for name, data in item.get("files", {}).items()}
    return DerivativeTypeRecord.model_validate({**item, "files": files})


def _is_conditional_failure(error: ClientError) -> bool:
    code = error.response.get("Error", {}).get("Code")
    return code in ("ConditionalCheckFailedException", "TransactionCanceledException")


class DynamoTaskTable:
    """The TaskTable port on DynamoDB."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    # ------------------------------------------------------------------------------ reads
    def get(self, task_id: str) -> TaskView | None:
        """The task and all its types, in one strongly consistent Query."""
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": f"TASK#{task_id}"}},
            "ConsistentRead": True,
        }
        while True:
            page = self._client.query(**kwargs)
            items.extend(_from_item(item) for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        task_items = [item for item in items if item["sk"] == "TASK"]
        if not task_items:
            return None
        types = {item["product_type"]: _type_from(item) for item in items if str(item["sk"]).startswith("TYPE#")}
        return TaskView(task=_task_from(task_items[0]), types=types)

    def due_task_ids(self, now: datetime, limit: int | None = None) -> Iterator[str]:
        """Ids of watched tasks whose next poll time has come, oldest due first (the sparse index; no scan)."""
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": DUE_INDEX,
            "KeyConditionExpression": "dueShard = :shard AND nextPollAt <= :now",
            "ExpressionAttributeValues": _values({":shard": WATCHING_SHARD, ":now": _epoch(now)}),
        }
        returned = 0
        while True:
            page = self._client.query(**kwargs)
            for item in page.get("Items", []):
                yield str(item["pk"]["S"]).removeprefix("TASK#")
                returned += 1
                if limit is not None and returned >= limit:
                    return
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    # ------------------------------------------------------------------------------ registration
    def register(self, task: TaskRecord, types: Sequence[DerivativeTypeRecord]) -> bool:
        """The task, then its PENDING types; False (nothing written) when the task is already there.

        Two conditional puts rather than a transaction (half the write cost): should the second never happen,
        the poll creates a type item the first time it sees that type ready.
        """
        task_item = {
            **task.model_dump(mode="json", exclude={"next_poll_at", "retain_until"}),
            "pk": f"TASK#{task.task_id}",
            "sk": "TASK",
        }
        if task.watch is WatchStatus.WATCHING:
            task_item["dueShard"] = WATCHING_SHARD
            task_item["nextPollAt"] = _epoch(task.next_poll_at or task.registered_at)
        if not self._put(task_item):
            return False
        for record in types:
            self._put(
                {
                    **record.model_dump(mode="json", exclude={"files"}),
                    "files": {name: _file_to_map(file) for name, file in record.files.items()},
                    "pk": f"TASK#{record.task_id}",
                    "sk": f"TYPE#{record.product_type}",
                }
            )
        return True

    def _put(self, item: dict[str, Any]) -> bool:
        """Put an item that must not exist yet; False when it does."""
        try:
            self._client.put_item(
                TableName=self._table, Item=_item(item), ConditionExpression="attribute_not_exists(pk)"
            )
        except ClientError as error:
            if _is_conditional_failure(error):
                return False
            raise
        return True

    # ------------------------------------------------------------------------------ polling
    def record_poll(
        self,
        task_id: str,
        *,
        now: datetime,
        next_poll_at: datetime,
        counters: dict[str, int],
        transition: ResultTransition | None = None,
    ) -> bool:
        """One write per polled task: the next poll time and counters, plus the new result when it moved up.

        Conditional on the task still being watched and, with a transition, on the result being what the poll
        saw before (so concurrent polls cannot both append the same transition, nor move it backwards).
        False when the condition failed (another poll got there first, or the task finished meanwhile).
        """
        names = {"#watch": "watch"}
        values: dict[str, Any] = {
            ":watching": WatchStatus.WATCHING.value,
            ":next": _epoch(next_poll_at),
            ":now": _iso(now),
        }
        sets = ["nextPollAt = :next", "last_polled_at = :now"]
        values[":zero"] = 0
        for index, (counter, amount) in enumerate(sorted(counters.items())):
            names[f"#c{index}"] = counter
            values[f":c{index}"] = amount
            sets.append(f"counters.#c{index} = if_not_exists(counters.#c{index}, :zero) + :c{index}")
        condition = "#watch = :watching"
        if transition is not None:
            names["#result"] = "result"
            values[":result"] = transition.result.value
            values[":entry"] = [transition.model_dump(mode="json")]
            sets += ["#result = :result", "history = list_append(history, :entry)", "last_change_at = :now"]
            if transition.previous is None:
                condition += " AND attribute_not_exists(#result)"
            else:
                values[":previous"] = transition.previous.value
                condition += " AND #result = :previous"
        expression = "SET " + ", ".join(sets)
        return self._update(_task_key(task_id), expression, condition, names, values)

    def mark_type_available(self, task_id: str, record: DerivativeTypeRecord) -> bool:
        """PENDING -> AVAILABLE with the files to copy (ENQUEUED). True only for the one writer that moved it:
        that writer enqueues the copy jobs, so no file is ever enqueued twice."""
        names = {"#state": "state", "#files": "files"}
        values = {
            ":available": TypeState.AVAILABLE.value,
            ":pending": TypeState.PENDING.value,
            ":derivative": record.derivative_id,
            ":image": record.image_reference or "",
            ":image_id": record.image_id or "",
            ":seen": _iso(record.first_seen_ready_at),
            ":files": {name: _file_to_map(file) for name, file in record.files.items()},
            ":type": record.product_type,
            ":task": task_id,
        }
        expression = (
            "SET #state = :available, derivative_id = :derivative, image_reference = :image, image_id = :image_id,"
            " first_seen_ready_at = :seen, #files = :files, product_type = :type, task_id = :task"
        )
        condition = "attribute_not_exists(pk) OR #state = :pending"
        return self._update(_type_key(task_id, record.product_type), expression, condition, names, values)

    def requeue_file(
        self, task_id: str, product_type: str, file_name: str, *, seen_enqueued_at: datetime, now: datetime
    ) -> bool:
        """Claim the re-send of a copy job that was never picked up (still ENQUEUED since `seen_enqueued_at`)."""
        names = {"#files": "files", "#file": file_name, "#state": "state"}
        values = {":enqueued": FileState.ENQUEUED.value, ":seen": _iso(seen_enqueued_at), ":now": _iso(now)}
        return self._update(
            _type_key(task_id, product_type),
            "SET #files.#file.enqueued_at = :now",
            "#files.#file.#state = :enqueued AND #files.#file.enqueued_at = :seen",
            names,
            values,
        )

    def contract_checkpoint(self, contract_id: str) -> datetime | None:
        """When contract discovery last looked, or None."""
        response = self._client.get_item(
            TableName=self._table,
            Key={"pk": {"S": f"CONTRACT#{contract_id}"}, "sk": {"S": "CHECKPOINT"}},
            ConsistentRead=True,
        )
        item = response.get("Item")
        return datetime.fromisoformat(item["checkpoint"]["S"]) if item else None

    def advance_contract_checkpoint(self, contract_id: str, checkpoint: datetime) -> bool:
        """Move the discovery checkpoint forward (never back)."""
        return self._update(
            {"pk": {"S": f"CONTRACT#{contract_id}"}, "sk": {"S": "CHECKPOINT"}},
            "SET checkpoint = :checkpoint",
            "attribute_not_exists(checkpoint) OR checkpoint < :checkpoint",
            {},
            {":checkpoint": _iso(checkpoint)},
        )

    # ------------------------------------------------------------------------------ fan-out
    def start_file_copy(
        self, task_id: str, product_type: str, file_name: str, *, lease_until: datetime, now: datetime
    ) -> FileClaim:
        """Take the copy lease on a file (ENQUEUED, or COPYING with an expired lease); the type becomes COPYING."""
        names = {"#files": "files", "#file": file_name, "#state": "state"}
        values = {
            ":enqueued": FileState.ENQUEUED.value,
            ":copying": FileState.COPYING.value,
            ":lease": _epoch(lease_until),
            ":now": _epoch(now),
            ":one": 1,
        }
        expression = (
            "SET #files.#file.#state = :copying, #files.#file.lease_until = :lease, #state = :copying,"
            " #files.#file.attempts = #files.#file.attempts + :one, attempts = attempts + :one"
        )
        condition = (
            "#files.#file.#state = :enqueued OR (#files.#file.#state = :copying AND #files.#file.lease_until < :now)"
        )
        if self._update(_type_key(task_id, product_type), expression, condition, names, values):
            return FileClaim.STARTED
        record = self._file(task_id, product_type, file_name)
        if record is None:
            return FileClaim.UNKNOWN
        return {
            FileState.COPIED: FileClaim.ALREADY_COPIED,
            FileState.FAILED: FileClaim.FAILED,
        }.get(record.state, FileClaim.BUSY)

    def finish_file_copy(
        self, task_id: str, product_type: str, file_name: str, stored: StoredObject, *, now: datetime
    ) -> DerivativeTypeRecord:
        """The file COPIED (only from COPYING); then the type COPIED once every file of it is."""
        key = _type_key(task_id, product_type)
        self._update(
            key,
            "SET #files.#file.#state = :copied, #files.#file.#stored = :stored REMOVE #files.#file.lease_until",
            "#files.#file.#state = :copying",
            {"#files": "files", "#file": file_name, "#state": "state", "#stored": "stored"},
            {
                ":copied": FileState.COPIED.value,
                ":copying": FileState.COPYING.value,
                ":stored": stored.model_dump(mode="json"),
            },
        )
        record = self._type(task_id, product_type)
        if record.state is not TypeState.COPIED and all(f.state is FileState.COPIED for f in record.files.values()):
            self._update(
                key,
                "SET #state = :copied, copied_at = :now",
                "#state IN (:available, :copying)",
                {"#state": "state"},
                {
                    ":copied": TypeState.COPIED.value,
                    ":now": _iso(now),
                    ":available": TypeState.AVAILABLE.value,
                    ":copying": TypeState.COPYING.value,
                },
            )
            record = self._type(task_id, product_type)
        return record

    def fail_file_copy(
        self, task_id: str, product_type: str, file_name: str, reason: str, *, final: bool, now: datetime
    ) -> None:
        """Why a copy failed. Not final: the lease is released for the next delivery. Final: file and type FAILED."""
        names = {"#files": "files", "#file": file_name, "#state": "state"}
        values: dict[str, Any] = {":reason": reason[:1000]}
        if final:
            values[":failed"] = FileState.FAILED.value
            values[":copied"] = FileState.COPIED.value
            expression = (
                "SET #files.#file.#state = :failed, #files.#file.failure_reason = :reason,"
                " #state = :failed, failure_reason = :reason REMOVE #files.#file.lease_until"
            )
            condition = "attribute_exists(#files.#file) AND #files.#file.#state <> :copied"
        else:
            values[":enqueued"] = FileState.ENQUEUED.value
            values[":copying"] = FileState.COPYING.value
            expression = (
                "SET #files.#file.#state = :enqueued, #files.#file.failure_reason = :reason"
                " REMOVE #files.#file.lease_until"
            )
            condition = "#files.#file.#state = :copying"
        self._update(_type_key(task_id, product_type), expression, condition, names, values)

    # ------------------------------------------------------------------------------ notifications, endings
    def claim_notification(self, task_id: str, claim: NotificationClaim) -> NotificationState | None:
        """None when newly claimed (publish it); otherwise the state the earlier claim is in."""
        if self._update(
            _task_key(task_id),
            "SET notifications.#id = :claim",
            "attribute_exists(pk) AND attribute_not_exists(notifications.#id)",
            {"#id": claim.event_id},
            {":claim": claim.model_dump(mode="json")},
        ):
            return None
        view = self.get(task_id)
        existing = view.task.notifications.get(claim.event_id) if view else None
        return existing.state if existing else NotificationState.PUBLISHED

    def mark_notification_published(self, task_id: str, event_id: str, *, now: datetime) -> None:
        """The notification went out."""
        self._update(
            _task_key(task_id),
            "SET notifications.#id.#state = :published, notifications.#id.published_at = :now",
            "attribute_exists(notifications.#id)",
            {"#id": event_id, "#state": "state"},
            {":published": NotificationState.PUBLISHED.value, ":now": _iso(now)},
        )

    def finish_task(
        self, task_id: str, watch: WatchStatus, reason: str, *, now: datetime, retain_until: datetime
    ) -> bool:
        """Stop watching: out of the due index, TTL set. Only from WATCHING; False if it had already finished."""
        return self._update(
            _task_key(task_id),
            "SET #watch = :watch, stop_reason = :reason, finished_at = :now, expiresAt = :ttl"
            " REMOVE dueShard, nextPollAt",
            "#watch = :watching",
            {"#watch": "watch"},
            {
                ":watch": watch.value,
                ":reason": reason,
                ":now": _iso(now),
                ":ttl": _epoch(retain_until),
                ":watching": WatchStatus.WATCHING.value,
            },
        )

    # ------------------------------------------------------------------------------ plumbing
    def _type(self, task_id: str, product_type: str) -> DerivativeTypeRecord:
        response = self._client.get_item(
            TableName=self._table, Key=_type_key(task_id, product_type), ConsistentRead=True
        )
        if "Item" not in response:
            raise LookupError(f"Task {task_id} has no derivative type {product_type} in the table.")
        return _type_from(_from_item(response["Item"]))

    def _file(self, task_id: str, product_type: str, file_name: str) -> FileRecord | None:
        try:
            return self._type(task_id, product_type).files.get(file_name)
        except LookupError:
            return None

    def _update(
        self, key: dict[str, Any], expression: str, condition: str, names: dict[str, str], values: dict[str, Any]
    ) -> bool:
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "Key": key,
            "UpdateExpression": expression,
            "ConditionExpression": condition,
            "ExpressionAttributeValues": _values(values),
        }
        if names:
            kwargs["ExpressionAttributeNames"] = names
        try:
            self._client.update_item(**kwargs)
        except ClientError as error:
            if _is_conditional_failure(error):
                return False
            raise
        return True
