"""Pure-Python text analysis of news articles.  Imports neither Django nor the rest of Factdesk."""
