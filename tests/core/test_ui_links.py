"""The one builder of Airflow UI links: Airflow 3.3's routes, ids encoded."""

from __future__ import annotations

from hcc_operators.core import ui_links

RUN = "manual__2026-01-01T00:00:00+00:00"
RUN_PART = "manual__2026-01-01T00%3A00%3A00%2B00%3A00"


def test_a_mapped_instance_uses_the_mapped_route_and_encodes_the_run_id():
    assert ui_links.task_instance_path("d", RUN, "t", 3) == (
        f"/dags/d/runs/{RUN_PART}/tasks/t/mapped/3"
    )


def test_an_unmapped_task_opens_itself_and_a_mapped_one_without_index_its_list():
    assert ui_links.task_instance_path("d", "r", "t", -1) == "/dags/d/runs/r/tasks/t"
    assert ui_links.task_instance_path("d", "r", "t", None) == "/dags/d/runs/r/tasks/t"
    assert ui_links.task_instance_path("d", "r", "compress_object", None) == (
        "/dags/d/runs/r/tasks/compress_object/mapped"
    )
    assert {"execute_action", "compress_object", "analyse_chunk"} == ui_links.MAPPED_TASKS


def test_each_kind_of_work_links_to_the_task_that_ran_it():
    assert ui_links.work_path("ilm", "COMPRESS", "r", 2) == (
        "/dags/hcc_ilm_execute/runs/r/tasks/execute_action/mapped/2"
    )
    assert ui_links.work_path("compression", "COMPRESS", "r", 0) == (
        "/dags/hcc_compress/runs/r/tasks/compress_object/mapped/0"
    )
    assert ui_links.work_path("compression", "ROLLBACK", "r", None) == (
        "/dags/hcc_compress_rollback/runs/r/tasks/rollback"
    )
    assert ui_links.work_dag("compression", "ROLLBACK") == "hcc_compress_rollback"
    assert ui_links.work_dag("ilm", "MOVE") == "hcc_ilm_execute"


def test_names_that_need_escaping_stay_one_path_segment():
    assert ui_links.dag_run_path("d", "a/b c") == "/dags/d/runs/a%2Fb%20c"


def test_work_links_name_the_warehouses_own_dags():
    from hcc_operators.core.ui_links import work_dag, work_path

    assert work_dag("ilm", "MOVE", "dw_amer") == "hcc_ilm_execute__dw_amer"
    assert work_dag("compression", "ROLLBACK", "dw_amer") == "hcc_compress_rollback__dw_amer"
    assert work_path("ilm", "MOVE", "r1", 3, "dw_amer") == (
        "/dags/hcc_ilm_execute__dw_amer/runs/r1/tasks/execute_action/mapped/3"
    )
    assert work_path("compression", "COMPRESS", "r1", None) == (
        "/dags/hcc_compress/runs/r1/tasks/compress_object/mapped"
    )
