import os

# Lets scikit-learn's ``check_array_api_input`` run instead of skipping; it must
# be set before scipy is first imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")
