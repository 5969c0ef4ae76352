"""The county's Overview: the period's figures and charts, each opening its report."""
