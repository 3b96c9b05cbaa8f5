"""The "ActiveCampaign SQL" Jupyter kernel: every cell is SQL, run by the same Session as the magics."""
