"""digistrat: explore digital-strategy survey data and web-traffic channel origins."""
