"""Runs: what trains, searches and reports on disk, between the math and the faces.

Contract: a face makes a key (the command line from ``--seed``) and calls one function here;
each takes the run's key and draws its named streams from it (``records.run_keys``), writes a
run directory whose every JSON file is a typed record's ``to_json`` (``records``), and returns
that record. ``recipes`` is THE default recipe every face reads its defaults from; ``training``
is one training run (``train_run``, ``train_dataset``, reopen, evaluate, predict);
``width_search`` the (h1, h2) search whose final network is a ``train_run``; ``markdown`` and
``blr_fit`` the run reports. Runs import math and plumbing only: the pictures layer draws a run's
figures from its records (``viz.nn.write_run_figures``, ``viz.sweep.write_heatmap``).
"""
