from django.db import migrations

# The four IC&RC peer recovery domains, with the codes fixed across all shipped content.
ICRC_DOMAINS = [
    ("advocacy", "Advocacy"),
    ("mentoring-education", "Mentoring and Education"),
    ("recovery-wellness-support", "Recovery and Wellness Support"),
    ("ethical-responsibility", "Ethical Responsibility"),
]


def create_domains(apps, schema_editor):
    Domain = apps.get_model("courses", "Domain")
    for code, name in ICRC_DOMAINS:
        Domain.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("courses", "0001_initial")]

    operations = [migrations.RunPython(create_domains, migrations.RunPython.noop)]
