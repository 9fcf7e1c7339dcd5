"""`--against-aws STACK`: register tasks with a deployed stack and watch them (real AWS, real ICEYE)."""

from __future__ import annotations

import json
import time

import boto3


def _outputs(stack_name: str) -> dict[str, str]:
    stack = boto3.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"][0]
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


def watch_deployed(stack_name: str, task_ids: list[str], *, rounds: int = 60, pause_seconds: float = 30) -> int:
    """Register each task through the deployed register function, then print each task's state until all finish."""
    outputs = _outputs(stack_name)
    lambda_client = boto3.client("lambda")
    for task_id in task_ids:
        answer = lambda_client.invoke(
            FunctionName=outputs["RegisterFunctionName"], Payload=json.dumps({"taskId": task_id}).encode()
        )
        print(task_id, json.loads(answer["Payload"].read()))
    table = boto3.resource("dynamodb").Table(outputs["TasksTableName"])
    for _ in range(rounds):
        watching = 0
        for task_id in task_ids:
            item = table.get_item(Key={"pk": f"TASK#{task_id}", "sk": "TASK"}).get("Item", {})
            watching += item.get("watch") == "WATCHING"
            result, watch = str(item.get("result", "-")), str(item.get("watch", "unregistered"))
            print(f"{task_id}  result={result}  watch={watch}")
        if not watching:
            print(f"Files: s3://{outputs['DerivativesBucketName']}/derivatives/")
            return 0
        time.sleep(pause_seconds)
    print("Some tasks are still being watched; the stack keeps going without this command.")
    return 0
