"""What every blueprint uses: loading and access checks for routes, the form base and Indonesian form fields,
response headers, the kept page content, files waiting between preview and confirmation, and /healthz."""
