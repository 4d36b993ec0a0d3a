"""Costing: what each option costs, month by month, in any set of scenarios.

- ``line_item``, ``cloud``, ``local``: first-month line items (quantity x unit price, with sources);
- ``prices``: the price-fetching stage (:class:`PriceBook`, the cheapest catalog rental, the shared terms);
- ``choices``: one segment priced on one API model or one sized local deployment;
- ``projection``: the one vectorised cost model over the horizon and over scenarios;
- ``horizon``: the projection's monthly costs summed in closed form (sweeps and Monte Carlo);
- ``plan``: plans, their staff and fixed costs, and :func:`plan_costs` / :func:`horizon_costs`;
- ``breakeven``: break-even volume and payback, through the same projection.
"""
