"""nianbao crawler: fetching, discovery, snapshots and scheduling."""
