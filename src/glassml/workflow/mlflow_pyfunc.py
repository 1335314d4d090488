"""The MLflow pyfunc model of a glassml model folder, logged as "models from code" (no pickle).

MLflow runs this file when it loads the model: it defines :class:`GlassmlPyfuncModel`, whose
``load_context`` reads the glassml model folder shipped as the artifact ``"model"`` with
:func:`glassml.workflow.modelio.load_model` (JSON + safetensors, checksum and version checks)
and whose ``predict`` validates a DataFrame's columns against the saved schema and returns the
predictions. Inventory: ET-04 (models with a signature, served locally), OT-07 (deploy).
"""

from __future__ import annotations

import mlflow
from mlflow.pyfunc import PythonModel


class GlassmlPyfuncModel(PythonModel):
    """pyfunc wrapper: DataFrame rows in, glassml predictions out."""

    def load_context(self, context):
        from glassml.workflow.modelio import load_model

        self.model, self.schema = load_model(context.artifacts["model"])

    def predict(self, context, model_input, params=None):
        from glassml.workflow.predict import predict_table
        from glassml.workflow.table import Table

        table = Table.from_mapping({str(c): model_input[c].tolist() for c in model_input.columns})
        proba = bool((params or {}).get("proba", False))
        columns = predict_table(self.model, self.schema, table, proba=proba, source="request")
        if proba:
            import pandas as pd

            return pd.DataFrame(columns)
        return columns["prediction"]


mlflow.models.set_model(GlassmlPyfuncModel())
