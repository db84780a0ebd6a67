"""Past years' figures from the office's own spreadsheets (issue 19, item 3): reading and planning in
`plan`, the upload → mapping → preview → confirm steps in `flow`, the writes in services/history.py."""
