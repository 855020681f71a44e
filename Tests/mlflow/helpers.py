"""Helpers shared by the MLflow-compatibility tests."""

import uuid
from pathlib import Path

import mlflow
import sklearn

# Given to log_model explicitly so it does not spend seconds inferring requirements in a subprocess.
PIP_REQUIREMENTS = [f"scikit-learn=={sklearn.__version__}"]
MLMODEL_TEXT = "artifact_path: model\nflavors:\n  python_function:\n    loader_module: mlflow.pyfunc.model\n"


def unique(prefix: str) -> str:
    """A name no other test uses, so tests stay independent on one server."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def log_model_directory(client: mlflow.MlflowClient, experiment_id: str, workdir: Path) -> tuple[str, str]:
    """Logs a minimal model directory (an `MLmodel` file) as artifact path `model` of a new finished run.

    Returns `(source, run_id)` where source is the run's `mlflow-artifacts:` URI of that directory, as
    `create_model_version` takes it.
    """
    model_dir = workdir / unique("model-dir")
    model_dir.mkdir()
    (model_dir / "MLmodel").write_text(MLMODEL_TEXT)
    run = client.create_run(experiment_id)
    client.log_artifacts(run.info.run_id, str(model_dir), artifact_path="model")
    client.set_terminated(run.info.run_id)
    return f"{run.info.artifact_uri}/model", run.info.run_id
