"""${{ values.name }}: ${{ values.description | replace('"', "'") }}"""
