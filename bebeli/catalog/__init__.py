"""The catalog: categories, products, images and Indonesian full-text search."""
from flask import Blueprint

bp = Blueprint("catalog", __name__)
