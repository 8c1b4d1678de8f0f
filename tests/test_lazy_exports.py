import importlib
import subprocess
import sys

import pytest

import atelier.pipelines


def test_a_render_worker_imports_no_model_library():
    # What a spawned render worker imports (atelier.train.render_ahead pickles WorldLiveSource.record).
    code = "import sys, atelier.train.record_sources; print(sorted({'diffusers', 'transformers'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_exported_names_resolve_and_unknown_ones_are_attribute_errors():
    from atelier.pipelines.tryon_pipeline import TryOnPipeline

    assert atelier.pipelines.TryOnPipeline is TryOnPipeline
    assert {"TryOnPipeline", "PipelineConfig", "TASKS"} <= set(atelier.pipelines.__all__)
    with pytest.raises(AttributeError, match="atelier.pipelines.*no attribute 'TryOnPipe'"):
        _ = atelier.pipelines.TryOnPipe


@pytest.mark.parametrize("package", ["atelier.pipelines", "atelier.train"])
def test_every_exported_name_has_a_home_that_defines_it(package):
    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name) is not None
