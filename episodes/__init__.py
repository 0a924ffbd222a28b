"""The catalog: episodes, guide videos, media assets, publishing, views, contest."""
