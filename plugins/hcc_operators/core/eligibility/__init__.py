"""Which policies apply to which partitions, with the reason for every decision.

facts.py: the partition facts; core/expr.py: the expression language the checks are written in;
checks.py: the checks, in order; evaluate.py: the pure evaluator (stage 2's set-based SQL is
compiled from the same checks in repository/evaluation_sql.py).
"""

from hcc_operators.core.eligibility.checks import (
    CHECKS,
    EVALUATION_ORDER,
    PolicyTerms,
    checks_for,
    temperature_expr,
)
from hcc_operators.core.eligibility.evaluate import (
    EligiblePair,
    EvaluationDetail,
    EvaluationResult,
    Limits,
    compile_policy,
    decide,
    evaluate,
    explain,
    iter_details,
    table_limits,
)
from hcc_operators.core.eligibility.facts import PartitionState

__all__ = [
    "CHECKS",
    "EVALUATION_ORDER",
    "EligiblePair",
    "EvaluationDetail",
    "EvaluationResult",
    "Limits",
    "PartitionState",
    "PolicyTerms",
    "checks_for",
    "compile_policy",
    "decide",
    "evaluate",
    "explain",
    "iter_details",
    "table_limits",
    "temperature_expr",
]
