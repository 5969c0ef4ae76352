"""The Sync section: a station links to its county, sends its bundles (USB or upload) and
imports the county's; the county imports the stations' bundles and sees what arrived."""
