-- plans-list: one page of an agency subtree's plans, with the filters the scenario's prepare
-- hook chose (PLANS_LIST_PATH: path and query string).
wrk.method = "GET"
wrk.path = os.getenv("PLANS_LIST_PATH")
