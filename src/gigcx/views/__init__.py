"""What each kind of viewer sees of a ticket: masked, priced and worded for them.

One policy (``policy.sight_of``) decides what a principal may see of a ticket; one module per kind
of viewer (``expert``, ``staff``, ``customer``) builds what the API, the web pages,
the live feeds and the exports show from it. Delivery layers render these views: they never read
``Message.body`` or price a task themselves.
"""
