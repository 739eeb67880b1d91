"""Community features (issue 14): ratings and comments on datasets, data requests (数据需求) with votes and the
departments' answers, error reports (数据纠错), notifications, and the moderation every post goes through.
One module per concept; the JSON API (portal/api/routes/community.py) maps their refusals to HTTP."""
