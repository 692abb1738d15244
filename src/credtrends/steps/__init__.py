"""Pipeline steps: each unit of work declared once (name, typed parameters, tables read and
written, one function), run by ``run_step`` from the CLI, ``credtrends run`` or a job."""

from credtrends.steps.registry import STEPS, get_step, step_of_command
from credtrends.steps.run import StepLocked, ready_warehouse, run_step
from credtrends.steps.spec import Step, StepContext, StepParams, StepReport, param_words

__all__ = [
    "STEPS",
    "Step",
    "StepContext",
    "StepLocked",
    "StepParams",
    "StepReport",
    "get_step",
    "param_words",
    "ready_warehouse",
    "run_step",
    "step_of_command",
]
