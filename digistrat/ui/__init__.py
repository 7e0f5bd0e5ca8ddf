"""The Streamlit shell: pages and widgets. The only part of digistrat that imports streamlit."""
