"""glassml train / predict / evaluate: oracle checks against scikit-learn and bad input."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.linear_model import Ridge as SkRidge
from sklearn.preprocessing import StandardScaler as SkScaler

from glassml.datasets import load_diabetes
from glassml.model_selection import train_test_split
from glassml.workflow.cli import main
from glassml.workflow.config import parse_config
from glassml.workflow.predict import evaluate, predict
from glassml.workflow.table import read_csv, write_csv
from glassml.workflow.train import train

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_ridge_holdout_matches_sklearn(tmp_path):
    cfg = parse_config(
        '[data]\nbuiltin = "diabetes"\n[preprocess]\nsteps = [{ name = "scale" }]\n'
        '[model]\nname = "Ridge"\nparams = { alpha = 2.0 }\n[split]\nrandom_state = 3\n'
        "[output]\nplots = false\n"
    )
    result = train(cfg, out=tmp_path / "run", quiet=True)
    X, y = load_diabetes(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=3)
    scaler = SkScaler().fit(X_tr)
    ref = SkRidge(alpha=2.0).fit(scaler.transform(X_tr), y_tr)
    pred = ref.predict(scaler.transform(X_te))
    assert result.metrics["r2"] == pytest.approx(skm.r2_score(y_te, pred), abs=1e-10)
    rmse = np.sqrt(skm.mean_squared_error(y_te, pred))
    assert result.metrics["neg_root_mean_squared_error"] == pytest.approx(-rmse, rel=1e-10)
    saved = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert saved["metrics"] == result.metrics and saved["task"] == "regression"


@pytest.fixture(scope="module")
def customers(tmp_path_factory):
    out = tmp_path_factory.mktemp("csv") / "run"
    result = train(EXAMPLES / "csv_customers.toml", out=out, quiet=True)
    return result, out


def test_csv_train_predict_evaluate(customers, tmp_path):
    result, out = customers
    assert {p.name for p in result.plots} >= {"confusion_matrix.png", "roc.png"}
    assert result.schema["dtypes"]["plan"] == "category" and result.schema["classes"] == [
        "no", "yes"]  # fmt: skip
    data = EXAMPLES / "data" / "customers.csv"
    preds = tmp_path / "preds.csv"
    assert main(["predict", str(out / "model"), str(data), "--out", str(preds)]) == 0
    written = read_csv(preds).data["prediction"]
    truth = read_csv(data).data["churned"]
    scores = evaluate(out / "model", data)
    assert scores["accuracy"] == pytest.approx(skm.accuracy_score(truth, written), abs=1e-12)
    proba = predict(out / "model", data, proba=True)
    p_yes = proba["proba_yes"]
    assert scores["roc_auc"] == pytest.approx(skm.roc_auc_score(truth == "yes", p_yes), abs=1e-12)
    np.testing.assert_allclose(proba["proba_no"] + p_yes, 1.0, atol=1e-12)


def test_missing_and_extra_columns(customers, tmp_path):
    _, out = customers
    table = read_csv(EXAMPLES / "data" / "customers.csv")
    cols = {c: table.data[c] for c in table.columns if c != "visits"}
    write_csv(tmp_path / "missing.csv", cols)
    with pytest.raises(ValueError, match=r"missing column\(s\) \['visits'\]"):
        predict(out / "model", tmp_path / "missing.csv")
    write_csv(tmp_path / "extra.csv", {**table.data, "surprise": np.ones(table.n_rows)})
    with pytest.warns(UserWarning, match=r"ignoring extra column\(s\) \['surprise'\]"):
        predict(out / "model", tmp_path / "extra.csv")
    with pytest.raises(ValueError, match=r"unexpected column\(s\)"):
        predict(out / "model", tmp_path / "extra.csv", strict=True)
    bad = dict(table.data)
    bad["age"] = np.array(["old"] * table.n_rows, dtype=object)
    write_csv(tmp_path / "text.csv", bad)
    with pytest.raises(ValueError, match="column 'age' must be numeric, got 'old'"):
        predict(out / "model", tmp_path / "text.csv")


def test_tampered_corrupted_and_version(customers, tmp_path):
    _, out = customers
    data = EXAMPLES / "data" / "customers.csv"
    model = tmp_path / "model"
    shutil.copytree(out / "model", model)
    blob = bytearray((model / "arrays.safetensors").read_bytes())
    blob[-1] ^= 1
    (model / "arrays.safetensors").write_bytes(bytes(blob))
    with pytest.raises(ValueError, match="checksum mismatch"):
        predict(model, data)
    shutil.rmtree(model)
    shutil.copytree(out / "model", model)
    (model / "estimator.json").write_text("{not json")
    with pytest.raises(ValueError, match="corrupted"):
        predict(model, data)
    shutil.rmtree(model)
    shutil.copytree(out / "model", model)
    payload = json.loads((model / "estimator.json").read_text())
    payload["glassml_version"] = "0.0.1"
    (model / "estimator.json").write_text(json.dumps(payload))
    with pytest.raises(ValueError, match="saved by glassml 0.0.1"):
        predict(model, data)
    payload["glassml_version"] = json.loads((out / "model" / "estimator.json").read_text())[
        "glassml_version"]  # fmt: skip
    payload["estimator"]["class"] = "os:system"
    (model / "estimator.json").write_text(json.dumps(payload))
    with pytest.raises(ValueError, match="not a glassml estimator"):
        predict(model, data)


def test_output_folder_not_overwritten(tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    cfg = EXAMPLES / "gaussian_nb_wine.toml"
    assert main(["train", str(cfg), "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err and (out / "keep.txt").exists()
    assert main(["train", str(cfg), "--out", str(out), "--force"]) == 0
    assert (out / "model" / "estimator.json").exists() and (out / "keep.txt").exists()


def test_evaluate_needs_target(customers, tmp_path):
    _, out = customers
    with pytest.raises(ValueError, match="target column 'churned' is missing"):
        evaluate(out / "model", EXAMPLES / "data" / "customers_new.csv")


def test_cli_predict_proba_to_stdout_and_evaluate(customers, capsys):
    _, out = customers
    data = EXAMPLES / "data" / "customers_new.csv"
    assert main(["predict", str(out / "model"), str(data), "--proba"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "proba_no,proba_yes" and len(lines) == 201
    first = [float(v) for v in lines[1].split(",")]
    expected = predict(out / "model", data, proba=True)
    assert first == [expected["proba_no"][0], expected["proba_yes"][0]]
    assert main(["evaluate", str(out / "model"), str(data)]) == 2
    assert "target column 'churned' is missing" in capsys.readouterr().err
