from django.db import migrations


def categories_from_questions(apps, schema_editor):
    """Every category the questions already use becomes an entry of the managed list."""
    Category = apps.get_model("quiz", "Category")
    Question = apps.get_model("quiz", "Question")
    used = set(Question.objects.exclude(category="").values_list("category", flat=True))
    known = set(Category.objects.values_list("slug", flat=True))
    Category.objects.bulk_create(
        Category(slug=slug, name=slug.replace("-", " ").replace("_", " ").capitalize())
        for slug in sorted(used - known)
    )


class Migration(migrations.Migration):
    dependencies = [("quiz", "0008_category")]

    operations = [migrations.RunPython(categories_from_questions, migrations.RunPython.noop)]
